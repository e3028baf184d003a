// One cell of an FXP matrix: fresh clients to both servers, one fxp() in
// the given arrangement (polling STAT), the stored copy compared by sha256, both sessions
// checked usable, and the outcome as text ("ok" or why not).
import { createHash } from "node:crypto";
import { Client } from "../../src/client/client.js";
import type { ClientOptions } from "../../src/client/options.js";
import { fxp, type FxpArrangement } from "../../src/client/fxp.js";

export interface FxpEnd {
  readonly options: ClientOptions;
  /** The file as stored on disk under the login root. */
  readFile(path: string): Promise<Buffer>;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Copies /src.bin (which holds `payload`) from `from` to `/<name>` on `to`. */
export async function fxpCell(from: FxpEnd, to: FxpEnd, name: string, arrangement: FxpArrangement, payload: Buffer): Promise<string> {
  const source = await Client.connect(from.options);
  const target = await Client.connect(to.options);
  try {
    // STAT as often as possible, so servers that read commands mid-transfer are polled and the others get the sentinel.
    const result = await fxp(source, "/src.bin", target, `/${name}`, { mode: arrangement, statusIntervalMs: 1, onProgress: () => {} });
    const stored = await to.readFile(name);
    if (sha256(stored) !== sha256(payload) || result.bytes !== payload.length) return `corrupt (${stored.length} bytes)`;
    // Both sessions still usable, data connections included (SSCN switched off again under TLS).
    if (!(await source.list("/")).some((e) => e.name === "src.bin")) return "source listing lost src.bin";
    if (!(await target.list("/")).some((e) => e.name === name)) return `target listing lacks ${name}`;
    return "ok";
  } catch (error) {
    return `fails: ${(error as Error).message}`;
  } finally {
    await source.close();
    await target.close();
  }
}
