/**
 * @quipu/core — the pure domain of quipu. Nothing exported here does I/O: anything that talks to
 * the network, the disk or a process is a port (interface) implemented by an adapter elsewhere.
 */
export * from "./errors/index.js";
export * from "./ports/index.js";
export * from "./model/index.js";
export * from "./labels/index.js";
export * from "./nodes/index.js";
export * from "./provisioning/index.js";
export * from "./indexing/index.js";
export * from "./daemon/index.js";
export * from "./cli/index.js";
