#!/usr/bin/env node
// The `ftpwire` bin (package.json "bin"). Nothing imports this file: the
// library entry point never loads the CLI.
import { processIo } from "./io.js";
import { runCli } from "./run.js";

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ftpwire: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
