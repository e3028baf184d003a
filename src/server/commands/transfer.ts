/**
 * File transfer commands: RETR STOR APPE STOU, and ABOR.
 * Each transfer runs through Session.startTransfer, so the control
 * connection stays responsive (ABOR/STAT/QUIT) while bytes move.
 */
import { randomBytes } from "node:crypto";
import { createCrlfToLf, createLfToCrlf } from "../../data/ascii-transform.js";
import { joinVirtual, virtualBasename, virtualDirname } from "../../protocol/paths.js";
import type { FileInfo } from "../../protocol/types.js";
import { findAsciiRestartPoint } from "../../storage/ascii-scan.js";
import { FileSystemError } from "../../storage/file-system.js";
import type { ActiveTransfer, Session } from "../session.js";
import { noteTransferOffset } from "../transfer-codecs.js";
import { lockForUpload, type UploadLock } from "../upload-locks.js";
import { refusedClearData } from "./security.js";
import type { CommandSpec } from "./table.js";

function ascii(session: Session): boolean {
  return session.type === "A" && session.options.asciiConversion;
}

function modeText(session: Session): string {
  return session.type === "A" ? "ASCII" : "BINARY";
}

/** 521 when policy wants PROT P, 425 when no data connection was prepared — both before 150. */
function needsDataSetup(session: Session): boolean {
  if (refusedClearData(session)) return true;
  if (session.dataChannel.prepared) return false;
  session.reply(425, "Use PORT, PASV, EPRT or EPSV first");
  return true;
}

/** A TYPE A restart marker that would need more than `limits.maxAsciiScanBytes` read to place. */
function refuseAsciiRestart(session: Session): void {
  const limit = session.options.limits.maxAsciiScanBytes;
  session.reply(554, `Restart in ASCII mode is limited to offsets up to ${limit} bytes; use TYPE I to resume`);
}

async function statOrUndefined(session: Session, path: string): Promise<FileInfo | undefined> {
  try {
    return await session.fs.stat(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw error;
  }
}

function retr(session: Session, arg: string): void {
  const path = session.resolve(arg);
  const offset = session.takeRestOffset();
  if (needsDataSetup(session)) return;
  noteTransferOffset(session, offset);
  session.startTransfer("RETR", path, async (transfer) => {
    let source;
    let start = offset;
    let afterCR = false;
    try {
      // read() refuses a directory itself; a separate stat is only needed to check a REST offset.
      if (offset > 0) {
        const info = await session.fs.stat(path);
        if (info.type === "directory") return session.reply(550, "Not a plain file");
        if (ascii(session)) {
          // The marker counts octets sent, CRLFs included (RFC 3659 §5): find the stored byte it stands for.
          const point = await findAsciiRestartPoint(session.fs, path, offset, session.options.limits.maxAsciiScanBytes);
          if (point === "past-end") return session.reply(554, "Restart offset past the end of the file");
          if (point === "over-limit") return refuseAsciiRestart(session);
          start = point.fileOffset;
          afterCR = point.afterCR;
        } else if (offset > (info.size ?? 0)) return session.reply(554, "Restart offset past the end of the file");
      }
      source = await session.fs.read(path, { start });
    } catch (error) {
      if ((error as { code?: unknown }).code === "EISDIR") return session.reply(550, "Not a plain file");
      return session.replyStorageError(error);
    }
    const result = await session.sendData(
      transfer,
      source,
      `Opening ${modeText(session)} mode data connection for ${virtualBasename(path)}`,
      ascii(session) ? createLfToCrlf({ afterCR }) : undefined,
    );
    session.emitTransfer("download", transfer, result);
  });
}

interface UploadPlan {
  readonly verb: "STOR" | "APPE" | "STOU";
  readonly append: boolean;
}

function upload(session: Session, arg: string, plan: UploadPlan): void {
  const offset = session.takeRestOffset();
  if (plan.verb === "STOU" && offset > 0) return session.reply(503, "REST is not allowed with STOU");
  if (needsDataSetup(session)) return;
  noteTransferOffset(session, offset);
  const requested = plan.verb === "STOU" && arg.trim() === "" ? undefined : session.resolve(arg);
  session.startTransfer(plan.verb, requested ?? session.cwd, async (transfer) => {
    const held: { lock?: UploadLock } = {};
    try {
      await runUpload(session, transfer, requested, offset, plan, held);
    } finally {
      // After the final reply, whatever the outcome: the next writer may start.
      await held.lock?.release();
    }
  });
}

async function runUpload(
  session: Session,
  transfer: ActiveTransfer,
  requested: string | undefined,
  offset: number,
  plan: UploadPlan,
  held: { lock?: UploadLock },
): Promise<void> {
  let path = requested ?? "";
  let start = offset;
  try {
    if (plan.verb === "STOU") path = await uniqueName(session, requested);
    // One writer per file (upload-locks.ts): a second one gets 450 before 150.
    held.lock = await lockForUpload(session.fs, path);
    if (plan.verb !== "STOU" && offset > 0) {
      const info = await statOrUndefined(session, path);
      if (!info) return session.reply(554, "Restart offset past the end of the file");
      if (info.type !== "file" || !ascii(session)) {
        if (offset > (info.size ?? 0)) return session.reply(554, "Restart offset past the end of the file");
      } else {
        // The marker counts octets received in network form (CRLF), as SIZE in TYPE A reports them.
        const point = await findAsciiRestartPoint(session.fs, path, offset, session.options.limits.maxAsciiScanBytes);
        if (point === "past-end") return session.reply(554, "Restart offset past the end of the file");
        if (point === "over-limit") return refuseAsciiRestart(session);
        if (point.insideLineEnding) return session.reply(554, "Restart offset falls inside a line ending");
        start = point.fileOffset;
      }
    }
    await checkUploadTarget(session, path);
  } catch (error) {
    if ((error as { code?: unknown }).code === "EBUSY") return session.reply(450, "File busy: another upload to this file is running");
    return session.replyStorageError(error);
  }
  // Opened only once the data connection is there: write() may truncate
  // (LocalFileSystem in place), and a data connection that never comes
  // must not cost the old contents.
  const target = () => session.fs.write(path, { start, append: plan.append });
  const opening =
    plan.verb === "STOU"
      ? `FILE: ${virtualBasename(path)}`
      : `Opening ${modeText(session)} mode data connection for ${virtualBasename(path)}`;
  const result = await session.receiveData(transfer, target, opening, ascii(session) ? createCrlfToLf() : undefined);
  // The event names the path actually written (STOU chooses it here).
  session.emitTransfer("upload", transfer, result, path);
}

/**
 * The checks an upload can fail before 150: not a directory, and a parent
 * that is one. Opening the storage waits for the data connection.
 */
async function checkUploadTarget(session: Session, path: string): Promise<void> {
  // Both at once (one storage round trip); the parent matters only when the target is missing.
  const parent = session.fs.stat(virtualDirname(path));
  parent.catch(() => {});
  const info = await statOrUndefined(session, path);
  if (info?.type === "directory") throw new FileSystemError("EISDIR");
  if (info) return;
  if ((await parent).type !== "directory") throw new FileSystemError("ENOTDIR");
}

/** STOU: a name that does not exist yet, near the requested one (or in the current directory). */
async function uniqueName(session: Session, requested: string | undefined): Promise<string> {
  const dir = requested ? virtualDirname(requested) : session.cwd;
  const base = requested ? virtualBasename(requested) : "ftpwire";
  if (requested && !(await statOrUndefined(session, requested))) return requested;
  for (let i = 0; i < 20; i++) {
    const candidate = joinVirtual(dir, `${base}.${randomBytes(4).toString("hex")}`);
    if (!(await statOrUndefined(session, candidate))) return candidate;
  }
  throw Object.assign(new Error("no unique name"), { code: "EEXIST" });
}

export const TRANSFER_COMMANDS: readonly CommandSpec[] = [
  { verb: "RETR", needsLogin: true, arg: "required", syntax: "RETR <sp> pathname", handler: retr },
  {
    verb: "STOR",
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "STOR <sp> pathname",
    handler: (session, arg) => upload(session, arg, { verb: "STOR", append: false }),
  },
  {
    verb: "APPE",
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "APPE <sp> pathname",
    handler: (session, arg) => upload(session, arg, { verb: "APPE", append: true }),
  },
  {
    verb: "STOU",
    needsLogin: true,
    arg: "optional",
    writes: true,
    syntax: "STOU [<sp> pathname]",
    handler: (session, arg) => upload(session, arg, { verb: "STOU", append: false }),
  },
  {
    verb: "ABOR",
    needsLogin: true,
    arg: "none",
    syntax: "ABOR (abort the transfer)",
    handler(session) {
      const transfer = session.transfer;
      if (!transfer) {
        session.dataChannel.close();
        return session.reply(225, "No transfer to abort; data connection closed");
      }
      // 426 comes from the transfer itself; 226 acknowledges the ABOR after it.
      transfer.aborted ??= "abor";
      transfer.after.push(() => session.reply(226, "ABOR successful"));
      transfer.controller.abort();
    },
  },
];
