/**
 * @quipu/chacra — the binary store and repository daemon (wire-compatible with ceph/chacra). For
 * now: the `quipu-chacra` command line (`main`), whose `index` command turns a directory of
 * packages into a repository through `@quipu/core/indexer`.
 */
export { main, commands, type CliIo, type Command } from "./cli.js";
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./commands/command.js";
