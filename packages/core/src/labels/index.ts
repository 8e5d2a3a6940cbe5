export {
  escapeLabelAtom,
  isGoodJenkinsName,
  labelAtomNeedsQuoting,
  quoteLabelString,
  unquoteLabelString,
} from "./label-atom.js";
export {
  createLabelExpression,
  evaluateLabelNode,
  explainLabelMismatch,
  formatLabelNode,
  labelAtomExpression,
  MAX_LABEL_EXPRESSION_DEPTH,
  parseLabelExpression,
  parseLabelLax,
  type LabelBinaryKind,
  type LabelBinaryNode,
  type LabelExpression,
  type LabelNode,
} from "./label-expression.js";
export { type LabelToken, type LabelTokenKind } from "./label-tokenizer.js";
export {
  isShuttingDownWhy,
  parseQueueWhy,
  parseQueueWhyPart,
  parseQueueWhyParts,
  type LabelOrNodeQueueDemand,
  type LabelQueueDemand,
  type NodeQueueDemand,
  type QueueDemand,
  type QueueDemandReason,
  type QueueWhyPart,
  type QueueWhyPartKind,
} from "./queue-why.js";
export {
  matchTemplates,
  planCapacity,
  templateLabelSet,
  type CapacityNeed,
  type CapacityPlan,
  type MatchTemplatesOptions,
  type NodeTemplate,
  type QueueItemLike,
  type TemplateMatch,
  type TemplateMatchRule,
  type TemplateRejection,
  type UnmatchedQueueItem,
} from "./queue-matcher.js";
