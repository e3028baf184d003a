/**
 * Commands that are not idempotent, as the Client runs them under retry: a
 * try after one whose reply may have been lost (`replyMayBeLost(previous)`)
 * can find the work already done, and then counts it as done:
 * - DELE answering 550: the lost DELE removed the file;
 * - RMD answering 550 while the directory is gone: the lost RMD removed it;
 * - MKD answering 550 while a directory is there: the lost MKD made it;
 * - RNFR answering 550 while the target exists: the lost RNTO renamed it.
 * Without a lost reply before, every failure is reported as it is.
 */
import { FtpReplyError } from "../errors.js";
import { mkdir, rmdir, type DirOptions } from "./dir-ops.js";
import { exists, stat } from "./file-info.js";
import { replyMayBeLost } from "./retry-policy.js";
import type { Session } from "./session.js";

function isReply(error: unknown, code: number): boolean {
  return error instanceof FtpReplyError && error.replyCode === code;
}

export async function mkdirRetried(session: Session, path: string, options: DirOptions, previous: unknown): Promise<void> {
  try {
    await mkdir(session, path, options);
  } catch (error) {
    if (replyMayBeLost(previous) && isReply(error, 550) && (await stat(session, path).catch(() => undefined))?.type === "directory") return;
    throw error;
  }
}

export async function rmdirRetried(session: Session, path: string, options: DirOptions, previous: unknown): Promise<void> {
  try {
    await rmdir(session, path, options);
  } catch (error) {
    if (replyMayBeLost(previous) && isReply(error, 550) && !(await exists(session, path))) return;
    throw error;
  }
}

export async function removeRetried(session: Session, path: string, previous: unknown): Promise<void> {
  const reply = await session.request("DELE", path);
  if (reply.code === 550 && replyMayBeLost(previous)) return;
  if (reply.code >= 400) throw new FtpReplyError(reply, { command: `DELE ${path}` });
}

export async function renameRetried(session: Session, from: string, to: string, previous: unknown): Promise<void> {
  const reply = await session.request("RNFR", from);
  if (reply.code === 550 && replyMayBeLost(previous) && (await exists(session, to))) return;
  if (reply.code >= 400) throw new FtpReplyError(reply, { command: `RNFR ${from}` });
  await session.command("RNTO", to);
}
