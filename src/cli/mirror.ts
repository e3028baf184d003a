/**
 * `ftpwire mirror <src> <dst>`: copies a directory tree, local → remote or
 * remote → local, over `--parallel N` connections. It is the library's
 * uploadDir/downloadDir: a plain recursive copy. The sync options of issue
 * 17 (--only-newer, --delete, --exclude) wait for the library's `sync`,
 * which is not in the public API yet; they are refused, not ignored.
 */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { posix } from "node:path";
import type { Client, ProgressInfo } from "../index.js";
import { flag, helpText, integerOption, parseCommand, type CommandSpec, type ParsedValues } from "./args.js";
import { CliError, EXIT, UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { TransferDisplay } from "./progress.js";
import { CONNECTION_OPTIONS, URL_DETAILS, connectRemote, interruptible, isFtpUrl, parseRemote } from "./remote-url.js";

export const MIRROR_SPEC: CommandSpec = {
  name: "mirror",
  summary: "copy a directory tree to or from an FTP server",
  usage: ["mirror [options] <ftp-url> <local-dir>    (download)", "mirror [options] <local-dir> <ftp-url>    (upload)"],
  options: {
    parallel: { type: "string", short: "P", value: "N", description: "files moved at once, each over its own connection (default 1)" },
    "dry-run": { type: "boolean", short: "n", description: "print what would be copied, copy nothing" },
    "only-newer": { type: "boolean", description: "(not yet: needs the library's sync)" },
    delete: { type: "boolean", description: "(not yet: needs the library's sync)" },
    exclude: { type: "string", multiple: true, value: "GLOB", description: "(not yet: needs the library's sync)" },
    "no-progress": { type: "boolean", description: "no aggregate progress bar" },
    ...CONNECTION_OPTIONS,
  },
  details: ["Existing files are overwritten; nothing is deleted.", ...URL_DETAILS],
};

async function* localFiles(dir: string, prefix = ""): AsyncGenerator<{ path: string; size: number }> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) yield* localFiles(join(dir, e.name), rel);
    else if (e.isFile()) yield { path: rel, size: (await stat(join(dir, e.name))).size };
  }
}

async function* remoteFiles(client: Client, dir: string, prefix = ""): AsyncGenerator<{ path: string; size: number | undefined }> {
  for (const e of await client.list(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.type === "directory") yield* remoteFiles(client, posix.join(dir, e.name), rel);
    else if (e.type === "file") yield { path: rel, size: e.size };
  }
}

export async function runMirror(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(MIRROR_SPEC, argv);
  if (flag(values, "help")) {
    io.stdout.write(helpText(MIRROR_SPEC));
    return EXIT.ok;
  }
  for (const name of ["only-newer", "delete", "exclude"]) {
    if (values[name] !== undefined) throw new UsageError(`ftpwire mirror: --${name} is not available yet (it needs the library's sync; mirror is a plain recursive copy for now)`);
  }
  if (positionals.length !== 2) throw new UsageError("ftpwire mirror: give a source and a destination");
  const [src, dst] = positionals as [string, string];
  if (isFtpUrl(src) === isFtpUrl(dst)) throw new UsageError("ftpwire mirror: exactly one side must be an ftp://, ftps:// or ftpes:// URL");
  const download = isFtpUrl(src);
  const ref = await parseRemote(download ? src : dst, io);
  const localDir = resolve(io.cwd, download ? dst : src);
  const parallel = integerOption(values, "parallel", 1, 64, "mirror") ?? 1;
  if (!download && !(await stat(localDir).then((s) => s.isDirectory(), () => false))) throw new UsageError(`ftpwire mirror: ${src} is not a local directory`);

  return interruptible(async (signal) => {
    const client = await connectRemote(ref, values, io, signal);
    try {
      return await copyTree({ client, signal, io, values, download, remoteDir: ref.path, localDir, parallel });
    } catch (error) {
      if (signal.aborted) throw new CliError("ftpwire mirror: interrupted", EXIT.interrupted, { cause: error });
      throw error;
    } finally {
      await client.close().catch(() => {});
    }
  });
}

interface MirrorJob {
  readonly client: Client;
  readonly signal: AbortSignal;
  readonly io: CliIo;
  readonly values: ParsedValues;
  readonly download: boolean;
  readonly remoteDir: string;
  readonly localDir: string;
  readonly parallel: number;
}

async function copyTree(job: MirrorJob): Promise<number> {
  const { client, signal, io, values, download, remoteDir, localDir, parallel } = job;
  if (flag(values, "dry-run")) {
    const files = download ? remoteFiles(client, remoteDir) : localFiles(localDir);
    for await (const f of files) {
      const from = download ? posix.join(remoteDir, f.path) : join(localDir, f.path);
      const to = download ? join(localDir, f.path) : posix.join(remoteDir, f.path);
      io.stdout.write(`${from} -> ${to}${f.size !== undefined ? ` (${f.size} B)` : ""}\n`);
    }
    return EXIT.ok;
  }
  const stderr = io.stderr as NodeJS.WriteStream;
  const bar = stderr.isTTY === true && !flag(values, "no-progress");
  const view = new TransferDisplay({ hashBytes: 0, bar, columns: stderr.columns, label: "mirror" }, (t) => void stderr.write(t));
  // The aggregate: the latest byte count of each file, summed.
  const perFile = new Map<string, number>();
  let done = 0;
  const onProgress = (info: ProgressInfo) => {
    done += info.bytes - (perFile.get(info.path) ?? 0);
    perFile.set(info.path, info.bytes);
    view.update({ bytes: done });
  };
  const options = { concurrency: parallel, signal, onProgress };
  const result = download ? await client.downloadDir(remoteDir, localDir, options) : await client.uploadDir(localDir, remoteDir, options);
  view.finish();
  // The per-file final progress counts, not only result.bytes: with concurrency > 1 the library's
  // total loses bytes (`bytes += await …` in its job runner reads the sum before the await).
  io.stdout.write(`${result.files} file${result.files === 1 ? "" : "s"}, ${Math.max(done, result.bytes)} bytes ${download ? "received" : "sent"}\n`);
  return EXIT.ok;
}
