export {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  runCommandTable,
  type CliCommand,
  type CliOutput,
  type CommandTableOptions,
} from "./command-table.js";
