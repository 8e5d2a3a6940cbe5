export { systemClock, createManualClock, type Clock, type ManualClock } from "./clock.js";
export { silentLogger, type Logger } from "./logger.js";
