/**
 * One-shot commands for scripts and CI: `ftpwire ls|stat|cat|get|put|rm|
 * mkdir|mv <url> …`. Each connects, does one thing, closes, and exits with
 * the documented code. Progress bars go to stderr, only on a terminal, and
 * `--no-progress` turns them off.
 */
import { stat as fsStat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { posix } from "node:path";
import { PassThrough } from "node:stream";
import { formatUnixLine, type Client, type FileInfo, type ProgressInfo } from "../index.js";
import { flag, helpText, parseCommand, type CommandSpec, type ParsedValues } from "./args.js";
import { CliError, EXIT, UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { TransferDisplay } from "./progress.js";
import { CONNECTION_OPTIONS, URL_DETAILS, connectRemote, interruptible, parseRemote, type RemoteRef } from "./remote-url.js";

interface OneShot {
  readonly spec: CommandSpec;
  /** [min, max] positionals. */
  readonly arity: readonly [number, number];
  readonly run: (c: Context) => Promise<number>;
}

interface Context {
  readonly values: ParsedValues;
  readonly args: string[];
  readonly io: CliIo;
  readonly signal: AbortSignal;
  /** Connects to the URL in args[i]. */
  connect(ref: RemoteRef): Promise<Client>;
}

const PROGRESS = { "no-progress": { type: "boolean", description: "no progress bar (there is none when stderr is not a terminal)" } } as const;

function spec(name: string, summary: string, usage: string[], options: CommandSpec["options"] = {}, details: string[] = []): CommandSpec {
  return { name, summary, usage, options: { ...options, ...CONNECTION_OPTIONS }, details: [...details, ...URL_DETAILS] };
}

function fileJson(e: FileInfo): Record<string, unknown> {
  return {
    name: e.name,
    type: e.type,
    size: e.size ?? null,
    modifiedAt: e.modifiedAt?.toISOString() ?? null,
    ...(e.mode !== undefined ? { mode: `0${e.mode.toString(8)}` } : {}),
    ...(e.target !== undefined ? { target: e.target } : {}),
    ...(e.permissions !== undefined ? { permissions: e.permissions } : {}),
    ...(e.owner !== undefined ? { owner: e.owner } : {}),
    ...(e.group !== undefined ? { group: e.group } : {}),
  };
}

/** The progress display for one transfer, on stderr when it is a terminal. */
function display(c: Context, label: string, total?: number): TransferDisplay {
  const stderr = c.io.stderr as NodeJS.WriteStream;
  const bar = stderr.isTTY === true && !flag(c.values, "no-progress");
  return new TransferDisplay({ hashBytes: 0, bar, columns: stderr.columns, label, ...(total !== undefined ? { total } : {}) }, (t) => void stderr.write(t));
}

const ls: OneShot = {
  spec: spec("ls", "list a remote directory", ["ls [options] <url>"], {
    long: { type: "boolean", short: "l", description: "long format (ls -l)" },
    json: { type: "boolean", description: "a JSON array of entries (name, type, size, modifiedAt, …)" },
  }),
  arity: [1, 1],
  async run(c) {
    const ref = await parseRemote(c.args[0]!, c.io);
    const client = await c.connect(ref);
    const entries = await client.list(ref.path, { signal: c.signal });
    await client.close();
    if (flag(c.values, "json")) c.io.stdout.write(`${JSON.stringify(entries.map(fileJson), null, 2)}\n`);
    else for (const e of entries) c.io.stdout.write(`${flag(c.values, "long") ? formatUnixLine(e) : e.type === "directory" ? `${e.name}/` : e.name}\n`);
    return EXIT.ok;
  },
};

const stat: OneShot = {
  spec: spec("stat", "show one remote file's type, size and time", ["stat [options] <url>"], {
    json: { type: "boolean", description: "a JSON object" },
  }),
  arity: [1, 1],
  async run(c) {
    const ref = await parseRemote(c.args[0]!, c.io);
    const client = await c.connect(ref);
    const info = await client.stat(ref.path, { signal: c.signal });
    await client.close();
    if (flag(c.values, "json")) c.io.stdout.write(`${JSON.stringify(fileJson(info), null, 2)}\n`);
    else {
      const rows: [string, string][] = [["name", info.name], ["type", info.type], ["size", info.size === undefined ? "?" : String(info.size)], ["modified", info.modifiedAt?.toISOString() ?? "?"]];
      if (info.mode !== undefined) rows.push(["mode", `0${info.mode.toString(8)}`]);
      for (const [k, v] of rows) c.io.stdout.write(`${k.padEnd(9)}${v}\n`);
    }
    return EXIT.ok;
  },
};

const cat: OneShot = {
  spec: spec("cat", "write a remote file to stdout", ["cat [options] <url>"]),
  arity: [1, 1],
  async run(c) {
    const ref = await parseRemote(c.args[0]!, c.io);
    const client = await c.connect(ref);
    // download() ends its Writable; stdout itself must stay open.
    const pipe = new PassThrough();
    pipe.pipe(c.io.stdout, { end: false });
    await client.download(ref.path, pipe, { signal: c.signal });
    await client.close();
    return EXIT.ok;
  },
};

const get: OneShot = {
  spec: spec("get", "download a remote file", ["get [options] <url> [local-file|local-dir|-]"], {
    resume: { type: "boolean", short: "c", description: "continue a partial local file" },
    ...PROGRESS,
  }, ["The local name defaults to the remote file's name in the current folder; - writes to stdout."]),
  arity: [1, 2],
  async run(c) {
    const ref = await parseRemote(c.args[0]!, c.io);
    const name = posix.basename(ref.path);
    if (c.args[1] === "-") return cat.run(c);
    let local = resolve(c.io.cwd, c.args[1] ?? name);
    if (await fsStat(local).then((s) => s.isDirectory(), () => false)) local = join(local, name);
    if (!name && c.args[1] === undefined) throw new UsageError("ftpwire get: the URL names no file");
    const client = await c.connect(ref);
    const view = display(c, name);
    await client.download(ref.path, local, { signal: c.signal, resume: flag(c.values, "resume"), onProgress: (i: ProgressInfo) => view.update(i) });
    view.finish();
    await client.close();
    return EXIT.ok;
  },
};

const put: OneShot = {
  spec: spec("put", "upload a local file", ["put [options] <local-file> <url>   (a URL ending in / takes the local name)"], {
    append: { type: "boolean", short: "a", description: "append to the remote file (APPE)" },
    resume: { type: "boolean", short: "c", description: "send only what the remote file lacks" },
    ...PROGRESS,
  }),
  arity: [2, 2],
  async run(c) {
    const local = resolve(c.io.cwd, c.args[0]!);
    const info = await fsStat(local);
    if (!info.isFile()) throw new UsageError(`ftpwire put: ${c.args[0]} is not a file`);
    const ref = await parseRemote(c.args[1]!, c.io);
    const remote = ref.path.endsWith("/") ? `${ref.path}${basename(local)}` : ref.path;
    const client = await c.connect(ref);
    const view = display(c, basename(local), info.size);
    await client.upload(local, remote, { signal: c.signal, append: flag(c.values, "append"), resume: flag(c.values, "resume"), onProgress: (i: ProgressInfo) => view.update(i) });
    view.finish();
    await client.close();
    return EXIT.ok;
  },
};

const rm: OneShot = {
  spec: spec("rm", "delete remote files (or directories with -r)", ["rm [options] <url> [more-paths-on-that-server…]"], {
    recursive: { type: "boolean", short: "r", description: "remove directories and what they hold" },
  }),
  arity: [1, Infinity],
  async run(c) {
    const ref = await parseRemote(c.args[0]!, c.io);
    const client = await c.connect(ref);
    for (const path of [ref.path, ...c.args.slice(1)]) {
      if (flag(c.values, "recursive") && (await client.stat(path, { signal: c.signal })).type === "directory") await client.rmdir(path, { recursive: true, signal: c.signal });
      else await client.remove(path, { signal: c.signal });
    }
    await client.close();
    return EXIT.ok;
  },
};

const mkdir: OneShot = {
  spec: spec("mkdir", "create a remote directory", ["mkdir [options] <url>"], {
    parents: { type: "boolean", short: "p", description: "create missing parents too; no error if it exists" },
  }),
  arity: [1, 1],
  async run(c) {
    const ref = await parseRemote(c.args[0]!, c.io);
    const client = await c.connect(ref);
    await client.mkdir(ref.path, { recursive: flag(c.values, "parents"), signal: c.signal });
    await client.close();
    return EXIT.ok;
  },
};

const mv: OneShot = {
  spec: spec("mv", "rename or move a remote file", ["mv [options] <url> <new-path>   (new-path on the same server)"]),
  arity: [2, 2],
  async run(c) {
    const ref = await parseRemote(c.args[0]!, c.io);
    const to = /^ftpe?s?:\/\//i.test(c.args[1]!) ? (await parseRemote(c.args[1]!, c.io)).path : c.args[1]!;
    const client = await c.connect(ref);
    await client.rename(ref.path, to, { signal: c.signal });
    await client.close();
    return EXIT.ok;
  },
};

export const ONE_SHOTS: Readonly<Record<string, OneShot>> = { ls, stat, cat, get, put, rm, mkdir, mv };

export async function runOneShot(name: string, argv: readonly string[], io: CliIo): Promise<number> {
  const command = ONE_SHOTS[name]!;
  const { values, positionals } = parseCommand(command.spec, argv);
  if (flag(values, "help")) {
    io.stdout.write(helpText(command.spec));
    return EXIT.ok;
  }
  const [min, max] = command.arity;
  if (positionals.length < min || positionals.length > max) throw new UsageError(`ftpwire ${name}: usage: ftpwire ${command.spec.usage[0]}`);
  // Every connection is closed at the end, whatever happened: an open socket would keep the process alive.
  const clients: Client[] = [];
  return interruptible(async (signal) => {
    try {
      return await command.run({
        values, args: positionals, io, signal,
        connect: async (ref) => {
          const client = await connectRemote(ref, values, io, signal);
          clients.push(client);
          return client;
        },
      });
    } catch (error) {
      if (signal.aborted) throw new CliError(`ftpwire ${name}: interrupted`, EXIT.interrupted, { cause: error });
      throw error;
    } finally {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
    }
  });
}
