// Property test: random command lines (known verbs with random arguments, random
// verbs, random bytes) never crash a session or the server; every line that is a
// command gets exactly one reply and the session then still answers NOOP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { COMMAND_TABLE } from "../../src/server/commands/table.js";

// Commands that would end the session or wait for a data connection are left out:
// they are tested on their own.
const SKIP = new Set(["QUIT", "REIN", "USER", "PASS", "RETR", "STOR", "APPE", "STOU", "LIST", "NLST", "MLSD"]);
const VERBS = [...COMMAND_TABLE.keys()].filter((v) => !SKIP.has(v));

const printable = fc.string({ unit: fc.constantFrom(..."abc /.-|,0123456789\"';*ÄΩ\\".split("")), maxLength: 40 });

describe("server fuzzing", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({}, new MemoryFileSystem({ "/a.txt": "a", "/d/x": "x" }));
  });
  after(() => t.close());

  it("known verbs with random arguments: one reply each, session survives", async () => {
    const c = await t.login();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...VERBS), printable, async (verb, arg) => {
        const r = await c.cmd(arg === "" ? verb : `${verb} ${arg}`);
        assert.ok(r.code >= 100 && r.code < 600, `${verb} ${arg} → ${r.code}`);
        assert.ok(r.code !== 421, `${verb} ${arg} closed the session`);
        if (r.code === 227 || r.code === 229) return; // a listener is pending; fine
      }),
      { numRuns: 300 },
    );
    assert.equal((await c.cmd("NOOP")).code, 200);
  });

  it("random bytes never crash the server", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 600 }), async (bytes) => {
        const c = await t.connect();
        c.send(Buffer.from(bytes));
        c.send("\r\nNOOP");
        let ok = false;
        for (let i = 0; i < 200 && !ok; i++) {
          const r = await c.reply();
          ok = r.code === 200;
        }
        assert.ok(ok, "NOOP answered after the garbage");
        c.close();
      }),
      { numRuns: 40 },
    );
  });
});
