/**
 * Octet counting for TYPE A (RFC 959 §3.1.1.1): how many octets a stored
 * file becomes on the wire once `createLfToCrlf()` has turned every LF not
 * preceded by CR into CRLF. SIZE in TYPE A answers that count and REST in
 * TYPE A gives a marker in it (RFC 3659 §4, §5: both count octets as
 * transferred, not as stored). Pure and incremental: fed the file in
 * chunks of any size, the result does not depend on the split.
 */

const CR = 13;
const LF = 10;

/** Where a network-form marker falls in the stored file. */
export interface AsciiRestartPoint {
  /** The stored byte to resume reading from. */
  readonly fileOffset: number;
  /**
   * The byte before `fileOffset` counts as a CR for the conversion: either
   * it is one, or the marker falls between an inserted CR and its LF (which
   * the client already has), so the LF at `fileOffset` must go out bare.
   */
  readonly afterCR: boolean;
  /** The marker falls between a CR the conversion inserted and its LF. */
  readonly insideLineEnding: boolean;
}

/**
 * Counts the network octets of the stored bytes fed to it, and stops at a
 * target count (`Infinity`: count the whole file).
 */
export class AsciiLengthCounter {
  /** Network octets of the stored bytes consumed so far. */
  networkOctets = 0;
  /** Stored bytes consumed so far. */
  fileBytes = 0;
  private lastWasCR = false;
  private found: AsciiRestartPoint | undefined;

  constructor(private readonly target = Number.POSITIVE_INFINITY) {
    if (target === 0) this.found = { fileOffset: 0, afterCR: false, insideLineEnding: false };
  }

  /** The restart point once the target was reached. */
  get restartPoint(): AsciiRestartPoint | undefined {
    return this.found;
  }

  /** Feeds the next stored bytes; returns true once the target is reached (later chunks are ignored). */
  push(chunk: Uint8Array): boolean {
    if (this.found) return true;
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      const lf = chunk.indexOf(LF, i);
      const runEnd = lf === -1 ? length : lf;
      // Bytes [i, runEnd) are one octet each on the wire.
      const remaining = this.target - this.networkOctets;
      if (runEnd - i >= remaining) return this.stop(chunk, i + remaining);
      this.networkOctets += runEnd - i;
      if (lf === -1) break;
      const bare = lf === 0 ? !this.lastWasCR : chunk[lf - 1] !== CR;
      if (bare && this.target - this.networkOctets === 1) {
        // Between the inserted CR and the LF: resume at the LF, sent without a second CR.
        this.networkOctets += 1;
        this.fileBytes += lf;
        this.found = { fileOffset: this.fileBytes, afterCR: true, insideLineEnding: true };
        return true;
      }
      this.networkOctets += bare ? 2 : 1;
      i = lf + 1;
    }
    this.fileBytes += length;
    if (length > 0) this.lastWasCR = chunk[length - 1] === CR;
    if (this.networkOctets === this.target) this.found = { fileOffset: this.fileBytes, afterCR: this.lastWasCR, insideLineEnding: false };
    return this.found !== undefined;
  }

  private stop(chunk: Uint8Array, at: number): true {
    const before = at === 0 ? this.lastWasCR : chunk[at - 1] === CR;
    this.networkOctets = this.target;
    this.fileBytes += at;
    this.found = { fileOffset: this.fileBytes, afterCR: before, insideLineEnding: false };
    return true;
  }
}
