/**
 * Directory operations that take more than one command: `mkdir -p` and
 * `rm -r`. Both work with absolute and relative paths and never change the
 * working directory (a CWD probe restores it).
 */
import { FtpReplyError } from "../errors.js";
import { isFailure } from "../protocol/reply-codes.js";
import type { FileInfo } from "../protocol/types.js";
import { isDirectory } from "./file-info.js";
import { list } from "./listing.js";
import { throwIfAborted, type Session } from "./session.js";

export interface DirOptions {
  recursive?: boolean;
  signal?: AbortSignal;
}

/** Joins a remote directory and an entry name with exactly one slash. */
export function joinRemote(dir: string, name: string): string {
  if (dir === "" || dir === ".") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

export async function mkdir(session: Session, path: string, options: DirOptions = {}): Promise<void> {
  if (!options.recursive) {
    await session.command("MKD", path);
    return;
  }
  // One round trip in the common case (parents exist).
  const direct = await session.request("MKD", path);
  if (!isFailure(direct.code)) return;
  const absolute = path.startsWith("/");
  const parts = path.split("/").filter((p) => p !== "");
  let prefix = absolute ? "/" : "";
  for (const part of parts) {
    throwIfAborted(options.signal);
    prefix = prefix === "" ? part : joinRemote(prefix, part);
    const reply = await session.request("MKD", prefix);
    if (!isFailure(reply.code)) continue;
    // Already there (550 "exists" on most servers, 521 on some): fine if it is a directory.
    if (!(await isDirectory(session, prefix))) throw new FtpReplyError(reply, { command: `MKD ${prefix}` });
  }
}

export async function rmdir(session: Session, path: string, options: DirOptions = {}): Promise<void> {
  if (options.recursive) await removeContents(session, path, options.signal, 0);
  await session.command("RMD", path);
}

const MAX_DEPTH = 256;

async function removeContents(session: Session, dir: string, signal: AbortSignal | undefined, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) throw new FtpReplyError({ code: 550, lines: ["Directory tree too deep"], message: "Directory tree too deep" }, { command: `RMD ${dir}` });
  const entries: FileInfo[] = await list(session, dir, { signal });
  for (const entry of entries) {
    throwIfAborted(signal);
    if (entry.name === "." || entry.name === "..") continue;
    const child = joinRemote(dir, entry.name);
    if (entry.type === "directory") {
      await removeContents(session, child, signal, depth + 1);
      await session.command("RMD", child);
    } else {
      await session.command("DELE", child);
    }
  }
}
