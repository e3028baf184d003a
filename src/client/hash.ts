/**
 * `client.hash()`: a file's digest computed by the server, so integrity can
 * be checked without downloading it again. Prefers HASH
 * (draft-bryan-ftp-hash: OPTS HASH selects the algorithm, the 213 reply
 * names algorithm, byte range and digest), else the older one-algorithm
 * commands XSHA256 / XSHA1 / XMD5 / XCRC that proftpd's mod_digest,
 * Serv-U and others offer.
 */
import { FtpProtocolError, FtpReplyError, FtpUnsupportedError } from "../errors.js";
import type { Reply } from "../protocol/types.js";
import type { Session } from "./session.js";
import { isFailure, isUnknownCommand } from "../protocol/reply-codes.js";

export type HashAlgorithm = "sha-256" | "sha-1" | "md5" | "crc32" | "sha-512";

export interface HashOptions {
  /** Default "sha-256". */
  readonly algorithm?: HashAlgorithm;
  readonly signal?: AbortSignal;
}

export interface HashResult {
  readonly algorithm: HashAlgorithm;
  /** Lower-case hex. */
  readonly hash: string;
  /** The byte range the server hashed (HASH only; the X commands hash the whole file). */
  readonly range?: { readonly start: number; readonly end: number } | undefined;
  /** The command that answered, e.g. "HASH" or "XSHA256". */
  readonly command: string;
}

interface AlgorithmInfo {
  /** Name in FEAT HASH and OPTS HASH. */
  readonly hashName: string;
  /** The older command that computes only this algorithm. */
  readonly legacyVerb: string;
  readonly hexLength: number;
}

const ALGORITHMS: Readonly<Record<HashAlgorithm, AlgorithmInfo>> = {
  "sha-256": { hashName: "SHA-256", legacyVerb: "XSHA256", hexLength: 64 },
  "sha-1": { hashName: "SHA-1", legacyVerb: "XSHA1", hexLength: 40 },
  "md5": { hashName: "MD5", legacyVerb: "XMD5", hexLength: 32 },
  "crc32": { hashName: "CRC32", legacyVerb: "XCRC", hexLength: 8 },
  "sha-512": { hashName: "SHA-512", legacyVerb: "XSHA512", hexLength: 128 },
};

/** Replies meaning "this command does not exist here" (504: not for this argument): the next way is worth trying. */
function unknownCommand(reply: Reply): boolean {
  return isUnknownCommand(reply.code) || reply.code === 504;
}

/** The algorithm each session's server currently has selected for HASH (after our OPTS HASH). */
const selected = new WeakMap<Session, string>();

/** The algorithms FEAT's HASH line lists, and the one marked `*` (selected). */
function hashFeature(session: Session): { names: string[]; current: string | undefined } | undefined {
  const line = session.features.get("HASH");
  if (line === undefined) return undefined;
  const entries = line.split(";").map((s) => s.trim()).filter(Boolean);
  const names = entries.map((e) => e.replace(/\*$/, "").toUpperCase());
  const current = entries.find((e) => e.endsWith("*"))?.replace(/\*$/, "").toUpperCase();
  return { names, current };
}

export async function hash(session: Session, path: string, options: HashOptions = {}): Promise<HashResult> {
  const algorithm = options.algorithm ?? "sha-256";
  const info = ALGORITHMS[algorithm];
  if (!info) throw new FtpUnsupportedError(String(algorithm), `Unknown hash algorithm ${JSON.stringify(algorithm)}`);
  const feature = hashFeature(session);
  if (feature?.names.includes(info.hashName)) return viaHash(session, path, algorithm, info, feature.current);
  const legacyOffered = session.has(info.legacyVerb);
  // Not every server lists its X commands in FEAT: without a HASH line that settles it, trying costs one round trip.
  if (legacyOffered || !feature) {
    const reply = await session.request(info.legacyVerb, path);
    if (!isFailure(reply.code)) return { algorithm, hash: digestFrom(reply, info, info.legacyVerb), command: info.legacyVerb };
    if (legacyOffered || !unknownCommand(reply)) throw new FtpReplyError(reply, { command: `${info.legacyVerb} ${path}` });
  }
  const offered = feature ? `the server's HASH offers ${feature.names.join(", ") || "nothing"}` : "the server has neither HASH nor";
  throw new FtpUnsupportedError(
    `HASH ${info.hashName}`,
    feature ? `${offered}, not ${info.hashName}, and no ${info.legacyVerb}` : `${offered} ${info.legacyVerb}`,
  );
}

async function viaHash(session: Session, path: string, algorithm: HashAlgorithm, info: AlgorithmInfo, current: string | undefined): Promise<HashResult> {
  if ((selected.get(session) ?? current) !== info.hashName) {
    await session.command("OPTS", `HASH ${info.hashName}`);
    selected.set(session, info.hashName);
  }
  const reply = await session.command("HASH", path);
  // "213 SHA-256 0-1234 <hex> <path>"; proftpd puts a "Computing ..." line first.
  for (let i = reply.lines.length - 1; i >= 0; i--) {
    const match = /^(?:213[ -])?(\S+) (\d+)-(\d*) ([0-9A-Fa-f]+)(?: |$)/.exec(reply.lines[i]!.trim());
    if (!match) continue;
    if (match[1]!.toUpperCase() !== info.hashName) {
      throw new FtpProtocolError(`HASH answered with ${match[1]} although ${info.hashName} was selected`, { reply });
    }
    const digest = match[4]!.toLowerCase();
    if (digest.length !== info.hexLength) throw new FtpProtocolError(`HASH gave a ${info.hashName} digest of ${digest.length} hex digits`, { reply });
    const start = Number(match[2]);
    const end = match[3] === "" ? start : Number(match[3]);
    return { algorithm, hash: digest, range: { start, end }, command: "HASH" };
  }
  throw new FtpProtocolError("HASH reply without algorithm, range and digest", { reply });
}

/** The X commands answer "250 <hex>" or "213 <hex>", some with the path after it: the one hex word of the right length. */
function digestFrom(reply: Reply, info: AlgorithmInfo, verb: string): string {
  const words = reply.lines.flatMap((line) => line.trim().split(/\s+/));
  const digest = words.find((w) => w.length === info.hexLength && /^[0-9A-Fa-f]+$/.test(w));
  if (!digest) throw new FtpProtocolError(`${verb} reply holds no ${info.hashName} digest`, { reply });
  return digest.toLowerCase();
}
