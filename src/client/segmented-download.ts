/**
 * `download(remote, localPath, { segments: N })`: N extra connections with
 * the client's options, each fetching one byte range — REST at its start,
 * and the transfer ended (ABOR, by destroying the stream) once its range is
 * in — written at its offset into one file. A segment that fails is fetched
 * again from where it stopped, on a new connection. The file is checked by
 * size, and by the server's hash when it offers HASH/XSHA256.
 *
 * Falls back to one ordinary stream, with a note in the result, when the
 * server cannot (no SIZE or no REST STREAM in FEAT) or will not (421 or 530
 * on the extra logins, a connection limit) serve ranges.
 */
import { createHash } from "node:crypto";
import { createReadStream as fsCreateReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FtpError, FtpInvalidArgumentError, FtpUnsupportedError, FtpVerifyError } from "../errors.js";
import type { Client } from "./client.js";
import type { DownloadOptions, DownloadResult } from "./file-transfers.js";
import { throwIfAborted } from "./session.js";

/** Below this many bytes a segment is not worth its own connection. */
export const MIN_SEGMENT_BYTES = 1024 * 1024;
/** Fetches of one segment (the first and its retries) before the download fails. */
const SEGMENT_TRIES = 4;

export interface SegmentedResult extends DownloadResult {
  /** Segments the file was fetched in (1 after a fallback). */
  readonly segments: number;
  /** Why it fell back to one stream, or how the result was checked. */
  readonly notes: string[];
}

type OpenSibling = (signal?: AbortSignal) => Promise<Client>;

export function checkSegments(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 32) throw new FtpInvalidArgumentError(`segments must be an integer from 1 to 32, got ${String(value)}`);
  return value;
}

export async function segmentedDownload(
  client: Client,
  openSibling: OpenSibling,
  remotePath: string,
  localPath: string,
  options: DownloadOptions & { segments: number },
  single: (options: DownloadOptions) => Promise<DownloadResult>,
): Promise<SegmentedResult> {
  const requested = checkSegments(options.segments);
  const { signal } = options;
  const plain = { ...options, segments: undefined };
  const notes: string[] = [];
  const fallBack = async (why: string): Promise<SegmentedResult> => {
    notes.push(`${why}: downloaded in one stream`);
    return { ...(await single(plain)), segments: 1, notes };
  };
  if (options.type === "ascii" || options.start !== undefined || options.resume) {
    return fallBack("segments need a binary download of the whole file");
  }
  if (!client.features().has("REST")) return fallBack("the server offers no REST STREAM");
  let size: number;
  try {
    size = await client.size(remotePath, { signal });
  } catch (error) {
    if (error instanceof FtpError && error.replyCode !== undefined && error.replyCode >= 500 && error.replyCode !== 550) return fallBack("the server cannot tell the size (SIZE)");
    throw error;
  }
  const count = Math.max(1, Math.min(requested, Math.floor(size / MIN_SEGMENT_BYTES)));
  if (count === 1) return fallBack(`the file (${size} bytes) is too small to split`);

  // The extra logins first: a server that refuses them (421/530) gets one stream instead.
  const opened = await Promise.allSettled(Array.from({ length: count }, () => openSibling(signal)));
  const siblings = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const refusal = opened.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason as unknown;
  try {
    throwIfAborted(signal);
    if (siblings.length < 2) {
      if (refusal instanceof FtpError && (refusal.replyCode === 421 || refusal.replyCode === 530 || refusal.code === "ERR_FTP_CLOSED")) {
        return await fallBack(`the server refused the extra connections (${refusal.message})`);
      }
      if (refusal !== undefined) throw refusal;
    }
    if (refusal !== undefined) notes.push(`${count - siblings.length} of ${count} extra connections were refused; ${siblings.length} segments instead`);
    const ranges = splitRanges(size, siblings.length);
    const file = await open(localPath, "w");
    let bytes = 0;
    let retries = 0;
    try {
      await file.truncate(size);
      await Promise.all(ranges.map(async (range, index) => {
        let connection = siblings[index]!;
        const cursor = { position: range.start };
        for (let attempt = 1; ; attempt++) {
          try {
            await fetchRange(connection, remotePath, cursor, range.end, file, signal, (n) => (bytes += n));
            return;
          } catch (error) {
            if (signal?.aborted || attempt >= SEGMENT_TRIES || !(error instanceof FtpError) || isPermanentFailure(error)) throw error;
            retries++;
            // A connection the failure left unusable is replaced; a usable one fetches the rest.
            if (!connection.connected) {
              connection = await openSibling(signal);
              siblings.push(connection);
            }
          }
        }
      }));
    } finally {
      await file.close();
    }
    await verify(client, remotePath, localPath, size, notes, signal);
    return {
      reply: { code: 226, lines: [`${ranges.length} segments complete`], message: `${ranges.length} segments complete` },
      bytes, resumes: retries, segments: ranges.length, notes,
    };
  } finally {
    await Promise.all(siblings.map((c) => c.close().catch(() => {})));
  }
}

function isPermanentFailure(error: FtpError): boolean {
  return error.replyCode !== undefined && error.replyCode >= 500;
}

/** `count` contiguous ranges [start, end) covering `size` bytes. */
export function splitRanges(size: number, count: number): Array<{ start: number; end: number }> {
  const step = Math.ceil(size / count);
  const ranges: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < size; start += step) ranges.push({ start, end: Math.min(size, start + step) });
  return ranges;
}

/**
 * Fetches [cursor.position, end) into `file` at the same offsets. The
 * cursor moves with every write, so after a failure the next try starts
 * where this one stopped.
 */
async function fetchRange(
  client: Client,
  remotePath: string,
  cursor: { position: number },
  end: number,
  file: FileHandle,
  signal: AbortSignal | undefined,
  progress: (bytes: number) => void,
): Promise<void> {
  const from = cursor.position;
  let stream: Readable | undefined;
  try {
    stream = await client.createReadStream(remotePath, { start: from, signal });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const wanted = Math.min(chunk.length, end - cursor.position);
      if (wanted > 0) {
        await file.write(chunk, 0, wanted, cursor.position);
        cursor.position += wanted;
        progress(wanted);
      }
      // This segment's range is in: end the transfer early (ABOR) instead of reading the rest of the file.
      if (cursor.position >= end) break;
    }
    if (cursor.position < end) throw new FtpVerifyError(`Segment ${from}-${end} of ${remotePath} ended at ${cursor.position}`);
  } finally {
    stream?.destroy();
  }
}

async function verify(client: Client, remotePath: string, localPath: string, size: number, notes: string[], signal: AbortSignal | undefined): Promise<void> {
  const handle = await open(localPath, "r");
  const actual = (await handle.stat()).size;
  await handle.close();
  if (actual !== size) throw new FtpVerifyError(`${localPath} has ${actual} bytes after a segmented download of ${size}`);
  let remote;
  try {
    remote = await client.hash(remotePath, { algorithm: "sha-256", signal });
  } catch (error) {
    if (!(error instanceof FtpUnsupportedError)) throw error;
    notes.push("checked by size (the server offers no HASH or XSHA256)");
    return;
  }
  const hash = createHash("sha256");
  await pipeline(fsCreateReadStream(localPath), hash);
  const local = hash.digest("hex");
  if (local !== remote.hash) throw new FtpVerifyError(`${localPath}: sha-256 ${local} differs from the server's ${remote.hash}`);
  notes.push(`checked by size and ${remote.command}`);
}
