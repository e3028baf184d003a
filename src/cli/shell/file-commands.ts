/**
 * Remote directory and file commands: ls/dir, nlist, cd, cdup, pwd, mkdir,
 * rmdir, delete, mdelete, rename, size, modtime, chmod.
 */
import { writeFile } from "node:fs/promises";
import { formatUnixLine, type FileInfo } from "../../index.js";
import { argCount, usageError, type ShellCommand } from "./command.js";
import { confirm, remoteGlob } from "./globbing.js";
import { ShellError, type ShellState } from "./state.js";

/** Prints a listing between its 150 and 226 (or into a local file: `ls dir out.txt`, "-" = the terminal). */
async function listing(state: ShellState, args: string[], lines: (entries: FileInfo[]) => string[], method: "LIST" | "auto"): Promise<void> {
  const client = state.requireClient();
  state.inTransfer = true;
  state.hold();
  let interrupted = false;
  state.abortRunning = () => {
    interrupted = true;
    void client.abort();
  };
  let entries: FileInfo[];
  try {
    entries = await client.list(args[0], { method });
  } catch (error) {
    state.release();
    if (interrupted) throw new ShellError("listing aborted.", 130);
    throw error;
  } finally {
    state.inTransfer = false;
    state.abortRunning = undefined;
  }
  const text = lines(entries);
  const file = args[1];
  try {
    if (file !== undefined && file !== "-") await writeFile(state.local(file), text.map((l) => `${l}\n`).join(""));
    else if (text.length) state.out(text.join("\n"));
  } finally {
    state.release();
  }
  if (args[0] === undefined) state.remoteNames = entries.map((e) => e.name);
}

export const ls: ShellCommand = {
  names: ["ls", "dir"],
  usage: "ls [remote-path [local-file]]",
  help: "list contents of remote path (long format)",
  async run(state, args) {
    argCount(this, args, 0, 2);
    await listing(state, args, (entries) => entries.map((e) => e.raw ?? formatUnixLine(e)), "LIST");
  },
};

export const nlist: ShellCommand = {
  names: ["nlist", "mls"],
  usage: "nlist [remote-path [local-file]]",
  help: "list names in remote path",
  async run(state, args) {
    argCount(this, args, 0, 2);
    await listing(state, args, (entries) => entries.map((e) => e.name), "auto");
  },
};

export const pwd: ShellCommand = {
  names: ["pwd"],
  usage: "pwd",
  help: "print working directory on remote machine",
  async run(state, args) {
    argCount(this, args, 0, 0);
    const dir = await state.requireClient().pwd();
    if (!state.settings.verbose) state.out(`Remote directory: ${dir}`);
  },
};

function simple(names: string[], usage: string, help: string, count: [number, number], work: (state: ShellState, args: string[]) => Promise<void>): ShellCommand {
  return {
    names,
    usage,
    help,
    async run(state, args) {
      argCount(this, args, count[0], count[1]);
      await work(state, args);
      state.remoteNames = undefined;
    },
  };
}

export const cd = simple(["cd", "cwd"], "cd remote-directory", "change remote working directory", [1, 1], (s, a) => s.requireClient().cd(a[0]!));
export const cdup = simple(["cdup"], "cdup", "change remote working directory to parent directory", [0, 0], (s) => s.requireClient().cdup());
export const mkdir = simple(["mkdir"], "mkdir directory-name", "make directory on the remote machine", [1, 1], (s, a) => s.requireClient().mkdir(a[0]!));
export const rmdir = simple(["rmdir"], "rmdir directory-name", "remove directory on the remote machine", [1, 1], (s, a) => s.requireClient().rmdir(a[0]!));
export const del = simple(["delete"], "delete remote-file", "delete remote file", [1, 1], (s, a) => s.requireClient().remove(a[0]!));
export const rename = simple(["rename"], "rename from-name to-name", "rename file", [2, 2], (s, a) => s.requireClient().rename(a[0]!, a[1]!));

export const chmod: ShellCommand = {
  names: ["chmod"],
  usage: "chmod mode remote-file",
  help: "change file permissions of remote file (SITE CHMOD)",
  async run(state, args) {
    argCount(this, args, 2, 2);
    if (!/^[0-7]{3,4}$/.test(args[0]!)) usageError(this);
    await state.requireClient().site(`CHMOD ${args[0]} ${args[1]}`);
  },
};

export const mdelete: ShellCommand = {
  names: ["mdelete"],
  usage: "mdelete remote-files",
  help: "delete multiple files",
  async run(state, args) {
    if (args.length === 0) usageError(this);
    const client = state.requireClient();
    for (const name of await remoteGlob(client, args, "file")) {
      if (!(await confirm(state, "mdelete", name))) continue;
      await client.remove(name);
    }
    state.remoteNames = undefined;
  },
};

export const size: ShellCommand = {
  names: ["size"],
  usage: "size remote-file",
  help: "show size of remote file",
  async run(state, args) {
    argCount(this, args, 1, 1);
    const n = await state.requireClient().size(args[0]!);
    if (!state.settings.verbose) state.out(`${args[0]}\t${n}`);
  },
};

function gmt(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(date.getUTCMonth() + 1)}/${p(date.getUTCDate())}/${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} GMT`;
}

export const modtime: ShellCommand = {
  names: ["modtime"],
  usage: "modtime remote-file",
  help: "show last modification time of remote file",
  async run(state, args) {
    argCount(this, args, 1, 1);
    const date = await state.requireClient().lastModified(args[0]!);
    state.out(`${args[0]}\t${gmt(date)}`);
  },
};

export const FILE_COMMANDS: readonly ShellCommand[] = [ls, nlist, cd, cdup, pwd, mkdir, rmdir, del, mdelete, rename, size, modtime, chmod];
