/**
 * File transfers: get/recv, put/send, reget, reput, append, mget, mput,
 * newer. Each shows hash marks or a progress bar while it runs, prints
 * ftp(1)'s "local: … remote: …" and summary lines when verbose, and can be
 * interrupted with Ctrl-C, which aborts it (ABOR) and keeps the session.
 */
import { stat } from "node:fs/promises";
import { basename, posix } from "node:path";
import { FtpAbortError, type DownloadResult, type ProgressInfo } from "../../index.js";
import { TransferDisplay, transferSummary } from "../progress.js";
import { argCount, usageError, type ShellCommand } from "./command.js";
import { confirm, localGlob, remoteGlob } from "./globbing.js";
import { ShellError, type ShellState } from "./state.js";

interface Leg {
  readonly direction: "received" | "sent";
  readonly local: string;
  readonly remote: string;
  readonly total?: number;
}

type Work = (options: { onProgress: (info: ProgressInfo) => void; type: "binary" | "ascii" }) => Promise<DownloadResult>;

/** Runs one transfer with the shell's display, summary and Ctrl-C handling. */
export async function runTransfer(state: ShellState, leg: Leg, work: Work): Promise<void> {
  const client = state.requireClient();
  const s = state.settings;
  if (s.verbose) state.out(`local: ${leg.local} remote: ${leg.remote}`);
  const display = new TransferDisplay(
    { hashBytes: s.hashBytes, bar: s.progress && state.io.stdout.isTTY === true, columns: state.io.stdout.columns, label: leg.direction === "received" ? leg.remote : leg.local, ...(leg.total !== undefined ? { total: leg.total } : {}) },
    (text) => void state.io.stdout.write(text),
  );
  let interrupted = false;
  state.abortRunning = () => {
    interrupted = true;
    void client.abort();
  };
  state.inTransfer = true;
  state.hold();
  const started = Date.now();
  try {
    const result = await work({ onProgress: (info) => display.update(info), type: s.type });
    display.finish();
    state.release();
    if (s.verbose) state.out(transferSummary(result.bytes, Date.now() - started, leg.direction));
  } catch (error) {
    display.finish();
    state.release();
    if (interrupted || error instanceof FtpAbortError) {
      throw new ShellError(`${leg.direction === "received" ? "receive" : "send"} aborted.`, 130);
    }
    throw error;
  } finally {
    state.inTransfer = false;
    state.abortRunning = undefined;
    state.remoteNames = undefined;
  }
}

function download(state: ShellState, remote: string, local: string, resume: boolean): Promise<void> {
  const client = state.requireClient();
  return runTransfer(state, { direction: "received", local, remote }, (o) => client.download(remote, state.local(local), { ...o, resume }));
}

async function upload(state: ShellState, local: string, remote: string, how: { resume?: boolean; append?: boolean }): Promise<void> {
  const client = state.requireClient();
  const path = state.local(local);
  const info = await stat(path);
  if (!info.isFile()) throw new ShellError(`local: ${local}: not a plain file.`, 5);
  await runTransfer(state, { direction: "sent", local, remote, total: info.size }, (o) => client.upload(path, remote, { ...o, ...how }));
}

function getCommand(names: string[], help: string, resume: boolean): ShellCommand {
  return {
    names,
    usage: `${names[0]} remote-file [local-file]`,
    help,
    async run(state, args) {
      argCount(this, args, 1, 2);
      await download(state, args[0]!, args[1] ?? posix.basename(args[0]!), resume);
    },
  };
}

function putCommand(names: string[], help: string, how: { resume?: boolean; append?: boolean }): ShellCommand {
  return {
    names,
    usage: `${names[0]} local-file [remote-file]`,
    help,
    async run(state, args) {
      argCount(this, args, 1, 2);
      await upload(state, args[0]!, args[1] ?? basename(args[0]!), how);
    },
  };
}

export const get = getCommand(["get", "recv"], "receive file", false);
export const reget = getCommand(["reget"], "get file restarting at end of local file", true);
export const put = putCommand(["put", "send"], "send one file", {});
export const reput = putCommand(["reput"], "put file restarting at end of remote file", { resume: true });
export const append = putCommand(["append"], "append to a file", { append: true });

export const newer: ShellCommand = {
  names: ["newer"],
  usage: "newer remote-file [local-file]",
  help: "get file if remote file is newer than local file",
  async run(state, args) {
    argCount(this, args, 1, 2);
    const remote = args[0]!;
    const local = args[1] ?? posix.basename(remote);
    const remoteTime = await state.requireClient().lastModified(remote);
    const localTime = await stat(state.local(local)).then((s) => s.mtime, () => undefined);
    if (localTime && remoteTime.getTime() <= localTime.getTime()) {
      state.out(`Local file "${local}" is newer than remote file "${remote}".`);
      return;
    }
    await download(state, remote, local, false);
  },
};

export const mget: ShellCommand = {
  names: ["mget"],
  usage: "mget remote-files",
  help: "get multiple files",
  async run(state, args) {
    if (args.length === 0) usageError(this);
    for (const name of await remoteGlob(state.requireClient(), args, "file")) {
      if (await confirm(state, "mget", name)) await download(state, name, posix.basename(name), false);
    }
  },
};

export const mput: ShellCommand = {
  names: ["mput"],
  usage: "mput local-files",
  help: "send multiple files",
  async run(state, args) {
    if (args.length === 0) usageError(this);
    state.requireClient();
    for (const name of await localGlob(state, args)) {
      if (await confirm(state, "mput", name)) await upload(state, name, basename(name), {});
    }
  },
};

export const TRANSFER_COMMANDS: readonly ShellCommand[] = [get, reget, put, reput, append, newer, mget, mput];
