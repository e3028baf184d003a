/**
 * Facts about one path: MLST when offered (one round trip, exact), else
 * SIZE + MDTM, else a CWD probe for directories, else a LIST of the parent.
 */
import { FtpReplyError } from "../errors.js";
import { parseMlsdLine } from "../protocol/listing/index.js";
import { formatMdtm, parseMdtm } from "../protocol/time.js";
import { parseQuotedPath, virtualBasename } from "../protocol/paths.js";
import { isFailure, isPermanent, isUnknownCommand } from "../protocol/reply-codes.js";
import type { FileInfo } from "../protocol/types.js";
import { list } from "./listing.js";
import { remoteSize } from "./file-transfers.js";
import type { Session } from "./session.js";

export async function pwd(session: Session): Promise<string> {
  const reply = await session.command("PWD");
  const path = parseQuotedPath(reply.message);
  if (path === undefined) throw new FtpReplyError(reply, { command: "PWD" });
  return path;
}

/** CWD as a probe: is `path` a directory we can enter? The working directory is restored. */
export async function isDirectory(session: Session, path: string): Promise<boolean> {
  const here = await pwd(session);
  const reply = await session.request("CWD", path);
  if (isFailure(reply.code)) return false;
  await session.command("CWD", here);
  return true;
}

export async function size(session: Session, path: string): Promise<number> {
  await session.setType("I");
  const reply = await session.command("SIZE", path);
  const value = Number.parseInt(reply.message.trim(), 10);
  if (!Number.isSafeInteger(value) || value < 0) throw new FtpReplyError(reply, { command: `SIZE ${path}` });
  return value;
}

export async function lastModified(session: Session, path: string): Promise<Date> {
  const reply = await session.command("MDTM", path);
  try {
    return parseMdtm(reply.message.trim().split(/\s+/)[0] ?? "");
  } catch (error) {
    throw new FtpReplyError(reply, { command: `MDTM ${path}`, cause: error });
  }
}

export async function setLastModified(session: Session, path: string, date: Date): Promise<void> {
  await session.command("MFMT", `${formatMdtm(date)} ${path}`);
}

export async function stat(session: Session, path: string): Promise<FileInfo> {
  if (session.has("MLST") && session.mlsdUsable) {
    const reply = await session.request("MLST", path);
    if (reply.code === 250) {
      // RFC 3659 §7.2: the fact line is the one starting with a space.
      const line = reply.lines.find((l, i) => i > 0 && l.startsWith(" "));
      const info = line === undefined ? undefined : parseMlsdLine(line.slice(1));
      if (info) return { ...info, name: virtualBasename(info.name) || info.name };
    } else if (isPermanent(reply.code) && !isUnknownCommand(reply.code)) {
      // A 501/504/550 is about the path; an unknown MLST falls back to SIZE + MDTM.
      throw new FtpReplyError(reply, { command: `MLST ${path}` });
    }
  }
  const name = virtualBasename(path) || path;
  const bytes = await remoteSize(session, path);
  if (bytes !== undefined) {
    const info: FileInfo = { name, type: "file", size: bytes };
    const mdtm = await session.request("MDTM", path);
    if (mdtm.code === 213) {
      try {
        info.modifiedAt = parseMdtm(mdtm.message.trim());
      } catch {
        // An unparsable date is left out rather than failing the whole stat.
      }
    }
    return info;
  }
  if (await isDirectory(session, path)) return { name, type: "directory" };
  // Last resort: the parent's listing (servers without SIZE).
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const slash = trimmed.lastIndexOf("/");
  const parent = slash === -1 ? undefined : slash === 0 ? "/" : trimmed.slice(0, slash);
  const entries = await list(session, parent);
  const found = entries.find((e) => e.name === name);
  if (found) return found;
  throw new FtpReplyError({ code: 550, lines: [`${path}: no such file or directory`], message: `${path}: no such file or directory` }, { command: `STAT ${path}` });
}

export async function exists(session: Session, path: string): Promise<boolean> {
  try {
    await stat(session, path);
    return true;
  } catch (error) {
    if (error instanceof FtpReplyError && isPermanent(error.replyCode)) return false;
    throw error;
  }
}
