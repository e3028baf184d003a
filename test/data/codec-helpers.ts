// Drives a codec Transform with given chunks and collects what it produced.
import { Readable, type Transform } from "node:stream";
import fc from "fast-check";
import { RECORD_END, restartMarker, type DataUnit } from "../../src/data/data-units.js";

/** Writes `chunks` in order (each its own write) and resolves with every pushed value. */
export async function drive<T = Buffer>(codec: Transform, chunks: readonly unknown[]): Promise<T[]> {
  const out: T[] = [];
  const source = Readable.from(chunks, { objectMode: true });
  codec.on("data", (value: T) => out.push(value));
  await new Promise<void>((resolve, reject) => {
    codec.on("end", resolve);
    codec.on("error", reject);
    source.pipe(codec);
  });
  return out;
}

export async function driveBytes(codec: Transform, chunks: readonly unknown[]): Promise<Buffer> {
  return Buffer.concat(await drive<Buffer>(codec, chunks));
}

/** Rejects with the codec's error, or fails when it ended cleanly. */
export async function driveError(codec: Transform, chunks: readonly unknown[]): Promise<Error> {
  try {
    await drive(codec, chunks);
  } catch (error) {
    return error as Error;
  }
  throw new Error("the codec accepted the input");
}

/** `bytes` cut at the given offsets (sorted, may repeat: empty chunks). */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let last = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(bytes.subarray(last, cut));
    last = cut;
  }
  out.push(bytes.subarray(last));
  return out;
}

/** Every way to cut `bytes` once and twice, plus one byte per chunk. */
export function* everySplit(bytes: Buffer): Generator<Buffer[]> {
  yield [bytes];
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) yield splitAt(bytes, [i, j]);
  }
  yield [...bytes].map((b) => Buffer.of(b));
}

/** Units with adjacent Buffers merged and empty ones dropped: the form two equal streams share. */
export function normalizeUnits(units: readonly DataUnit[]): DataUnit[] {
  const out: DataUnit[] = [];
  let pending: Buffer[] = [];
  const flush = () => {
    const joined = Buffer.concat(pending);
    if (joined.length > 0) out.push(joined);
    pending = [];
  };
  for (const unit of units) {
    if (Buffer.isBuffer(unit)) pending.push(unit);
    else {
      flush();
      out.push({ ...unit });
    }
  }
  flush();
  return out;
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** Random file bytes, record ends and restart markers. */
export const unitArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a) as DataUnit) },
  { weight: 1, arbitrary: fc.constant(RECORD_END as DataUnit) },
  { weight: 1, arbitrary: fc.stringMatching(/^[!-~]{1,8}$/).map((m) => restartMarker(m) as DataUnit) },
);
