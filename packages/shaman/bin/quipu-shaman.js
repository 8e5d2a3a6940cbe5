#!/usr/bin/env node
// The bin is a committed file so that pnpm links it at install time; the code is built into dist/.
import { main } from "../dist/cli.js";

process.exitCode = await main(process.argv.slice(2));
