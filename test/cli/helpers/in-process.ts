// Runs `ftpwire …` inside the test process with its own streams (no child,
// no tsx start-up): for usage errors, help texts and the scriptable shell.
import { PassThrough, Readable } from "node:stream";
import { runCli } from "../../../src/cli/run.js";
import type { CliIo } from "../../../src/cli/io.js";

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(args: readonly string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<InProcessResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const io: CliIo = {
    stdin: Readable.from([Buffer.from(options.input ?? "")]),
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await runCli(args, io);
  return { code, stdout: out, stderr: err };
}
