export {
  createNodeSelector,
  type NodeSelector,
  type NodeSelectorOptions,
  type ReprobeLoopOptions,
  type ReprobeReport,
} from "./round-robin-selector.js";
export {
  runProbe,
  type NodeProbeContext,
  type NodeProbeResult,
  type NodeProber,
  type ProbeOutcome,
  type RunProbeOptions,
} from "./node-prober.js";
export { NodeRegistrationSchema, type NodeRegistration, type NodeSnapshot } from "./node-state.js";
export type { NodeSelectorEvent, NodeSelectorEventType } from "./node-events.js";
