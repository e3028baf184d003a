// Issue 11: the client's own local ports took 109 of 1,000 passive ports in
// a probe, because the passive range lay inside the kernel's ephemeral
// range. listen() now warns (process warning FTPWIRE_PASSIVE_RANGE_EPHEMERAL).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { passiveRangeWarning, READ_EPHEMERAL_RANGE, readEphemeralPortRange } from "../../src/server/ephemeral-ports.js";
import { createServer } from "../../src/server/ftp-server.js";

describe("passive range inside the ephemeral range", () => {
  it("reads ip_local_port_range (tab-separated), and nothing from a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ftpwire-eph-"));
    try {
      writeFileSync(join(dir, "range"), "32768\t60999\n");
      assert.deepEqual(readEphemeralPortRange(join(dir, "range")), [32768, 60999]);
      assert.equal(readEphemeralPortRange(join(dir, "missing")), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the overlap, and is silent without one", () => {
    assert.match(passiveRangeWarning([50000, 50999], [32768, 60999]) ?? "", /overlaps .* 32768-60999 .* in 1000 ports/);
    assert.match(passiveRangeWarning([30000, 32768], [32768, 60999]) ?? "", /in 1 ports/);
    assert.equal(passiveRangeWarning([20000, 20999], [32768, 60999]), undefined);
    assert.equal(passiveRangeWarning(undefined, [32768, 60999]), undefined);
    assert.equal(passiveRangeWarning([50000, 50999], undefined), undefined);
  });

  it("listen() emits a process warning for an overlapping range, and none for a range outside", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      for (const portRange of [[50000, 50099], [20000, 20099]] as const) {
        const server = createServer({ authenticate: () => null, passive: { portRange } });
        server[READ_EPHEMERAL_RANGE] = () => [32768, 60999];
        await server.listen({ host: "127.0.0.1", port: 0 });
        await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
        await server.close({ graceMs: 0 });
      }
      assert.equal(warnings.length, 1);
      assert.equal((warnings[0] as Error & { code?: string }).code, "FTPWIRE_PASSIVE_RANGE_EPHEMERAL");
      assert.match(warnings[0]!.message, /50000-50099/);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
