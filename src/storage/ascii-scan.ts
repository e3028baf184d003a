/**
 * TYPE A sizes and restart points read from storage. SIZE and REST count
 * octets as they cross the data connection (RFC 3659 §4, §5), and in TYPE A
 * those differ from the stored bytes by the CRLF expansion, which only a
 * read of the file can tell. Every read here is bounded by the caller's
 * limit (`limits.maxAsciiScanBytes`): past it the caller refuses instead of
 * reading a large file for one command.
 */
import type { Readable } from "node:stream";
import { AsciiLengthCounter, type AsciiRestartPoint } from "../data/ascii-length.js";
import type { FileSystem } from "./file-system.js";

/** Feeds `source` to `counter` until it has what it needs or the file ends; the stream is closed either way. */
async function feed(source: Readable, counter: AsciiLengthCounter): Promise<void> {
  try {
    for await (const chunk of source) {
      if (counter.push(chunk as Buffer)) break;
    }
  } finally {
    source.destroy();
  }
}

/** The exact TYPE A size of a stored file of `storedSize` bytes, or undefined above `limit` stored bytes. */
export async function asciiNetworkSize(fs: FileSystem, path: string, storedSize: number, limit: number): Promise<number | undefined> {
  if (storedSize > limit) return undefined;
  const counter = new AsciiLengthCounter();
  await feed(await fs.read(path), counter);
  return counter.networkOctets;
}

export type AsciiRestartResult = AsciiRestartPoint | "past-end" | "over-limit";

/**
 * Where a TYPE A restart marker (network octets already transferred) falls
 * in the stored file. The stored offset is at most the marker, so a marker
 * above `limit` is refused without reading.
 */
export async function findAsciiRestartPoint(fs: FileSystem, path: string, marker: number, limit: number): Promise<AsciiRestartResult> {
  if (marker > limit) return "over-limit";
  const counter = new AsciiLengthCounter(marker);
  if (counter.restartPoint) return counter.restartPoint;
  await feed(await fs.read(path), counter);
  return counter.restartPoint ?? "past-end";
}
