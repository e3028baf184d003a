/**
 * TYPE A line-ending conversion (RFC 959 §3.1.1.1): the network form ends
 * lines with CRLF, the local form with LF. Both transforms are streaming and
 * correct when a CR and its LF arrive in different chunks. A chunk that needs
 * no change is passed on as is (no copy).
 */
import { Transform, type TransformCallback } from "node:stream";

const CR = 13;
const LF = 10;

/** Network → local: every CRLF becomes LF; a lone CR is kept. */
export function createCrlfToLf(): Transform {
  let heldCR = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let start = 0;
      if (heldCR) {
        heldCR = false;
        // The held CR belongs to the output unless this chunk starts with its LF.
        if (chunk.length === 0 || chunk[0] !== LF) this.push(Buffer.of(CR));
      }
      let end = chunk.length;
      if (end > 0 && chunk[end - 1] === CR) {
        heldCR = true;
        end -= 1;
      }
      let cr = chunk.indexOf(CR, start);
      if (cr === -1 || cr >= end) {
        if (start === 0 && end === chunk.length) this.push(chunk);
        else if (end > start) this.push(chunk.subarray(start, end));
        return callback();
      }
      const out = Buffer.allocUnsafe(end - start);
      let length = 0;
      while (cr !== -1 && cr < end) {
        if (cr + 1 < end && chunk[cr + 1] === LF) {
          length += chunk.copy(out, length, start, cr);
          start = cr + 1; // drop the CR, keep the LF
        }
        cr = chunk.indexOf(CR, cr + 1);
      }
      length += chunk.copy(out, length, start, end);
      this.push(out.subarray(0, length));
      callback();
    },
    flush(callback: TransformCallback) {
      if (heldCR) this.push(Buffer.of(CR));
      callback();
    },
  });
}

/**
 * Local → network: every LF not already preceded by CR becomes CRLF.
 * `afterCR`: the stream resumes just after a CR (a REST in TYPE A,
 * ascii-length.ts), so a leading LF goes out as it is.
 */
export function createLfToCrlf(options: { afterCR?: boolean } = {}): Transform {
  let lastWasCR = options.afterCR ?? false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (chunk.length === 0) return callback();
      let bare = 0;
      let lf = chunk.indexOf(LF);
      while (lf !== -1) {
        const before = lf === 0 ? lastWasCR : chunk[lf - 1] === CR;
        if (!before) bare++;
        lf = chunk.indexOf(LF, lf + 1);
      }
      const endsWithCR = chunk[chunk.length - 1] === CR;
      if (bare === 0) {
        lastWasCR = endsWithCR;
        this.push(chunk);
        return callback();
      }
      const out = Buffer.allocUnsafe(chunk.length + bare);
      let length = 0;
      let start = 0;
      lf = chunk.indexOf(LF);
      while (lf !== -1) {
        const before = lf === 0 ? lastWasCR : chunk[lf - 1] === CR;
        if (!before) {
          length += chunk.copy(out, length, start, lf);
          out[length++] = CR;
          start = lf; // the LF itself is copied with the next segment
        }
        lf = chunk.indexOf(LF, lf + 1);
      }
      length += chunk.copy(out, length, start);
      lastWasCR = endsWithCR;
      this.push(out.subarray(0, length));
      callback();
    },
  });
}
