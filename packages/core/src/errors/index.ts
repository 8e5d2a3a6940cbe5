export { errorCodes, isErrorCode, type ErrorCode, type ErrorCodeInfo } from "./error-codes.js";
export { QuipuError, isQuipuError, type ErrorDetails, type QuipuErrorOptions } from "./quipu-error.js";
export { formatZodIssues, parseOrThrow } from "./zod-errors.js";
export { renderErrorCodesMarkdown } from "./error-codes-doc.js";
