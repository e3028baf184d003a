/**
 * Counts the bytes of a transfer as they pass, without copying them. Put it
 * in a stream.pipeline to get progress and totals for events.
 */
import { Transform, type TransformCallback } from "node:stream";

export class ByteCounter extends Transform {
  private total = 0;
  private readonly onBytes: ((total: number, chunk: number) => void) | undefined;

  constructor(onBytes?: (total: number, chunk: number) => void) {
    // Large marks so the counter never becomes the buffer that limits throughput.
    super({ highWaterMark: 1 << 20 });
    this.onBytes = onBytes;
  }

  get bytes(): number {
    return this.total;
  }

  /**
   * Counts bytes that bypass the Transform: a pipeline may watch a source's
   * "data" events instead of adding a stream hop for every chunk.
   */
  count(chunkLength: number): void {
    this.total += chunkLength;
    this.onBytes?.(this.total, chunkLength);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    this.onBytes?.(this.total, chunk.length);
    callback(null, chunk);
  }
}
