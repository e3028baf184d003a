// Issue 11, permanent proof: whole-session fuzzing against a live server.
// Random command sequences (known verbs with random arguments, random bytes,
// random chunking of the whole pipelined batch, ABOR with nothing running,
// then QUIT, a clean close or a reset at a random point). Properties: the
// server never crashes; every complete line gets exactly one final reply,
// in order (checked by a NOOP marker after each line); no session, file
// descriptor or passive listener is left behind.
// `npm test` runs a bounded number of cases; `npm run fuzz` sets FUZZ_RUNS.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { once } from "node:events";
import fc from "fast-check";
import { startServer, TestClient, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { COMMAND_TABLE } from "../../src/server/commands/table.js";
import { heldUploadLocks } from "../../src/server/upload-locks.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// Verbs that end the session, wait for a data connection or change the login are driven on their own.
const SKIP = new Set(["QUIT", "REIN", "USER", "PASS", "RETR", "STOR", "APPE", "STOU", "LIST", "NLST", "MLSD", "AUTH"]);
const VERBS = [...COMMAND_TABLE.keys()].filter((v) => !SKIP.has(v));

const argText = fc.string({ unit: fc.constantFrom(..."ab /.-|,019\"';*ÄΩ\\%~".split("")), maxLength: 30 });
/** Bytes of a line body: anything but CR, LF and IAC (0xFF starts Telnet commands, tested elsewhere). */
const rawBody = fc.uint8Array({ minLength: 0, maxLength: 60 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0a && b !== 0x0d && b !== 0xff)));

type Line = Buffer;
const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...VERBS), argText, fc.boolean()).map(([v, a, lower]) => Buffer.from(`${lower ? v.toLowerCase() : v}${a ? ` ${a}` : ""}`)) },
  // Starts with a letter so the line is never empty or blank (blank lines get no reply by design).
  { weight: 2, arbitrary: rawBody.map((b) => Buffer.concat([Buffer.from("X"), b])) },
  { weight: 1, arbitrary: fc.constant(Buffer.from("ABOR")) },
  { weight: 1, arbitrary: fc.constant(Buffer.from("X".repeat(5000))) },
);

const ending = fc.constantFrom("quit", "end", "reset", "reset-midway");
const chunking = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 });

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

describe("session fuzzing (live server)", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ timeouts: { data: 500 } }, new MemoryFileSystem({ "/a.txt": "a", "/d/x": "x" }));
  });
  after(() => t.close());

  it(`${RUNS} random sessions: one final reply per line, in order; nothing leaks`, async () => {
    const fdsBefore = openFds();
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 12 }), chunking, ending, async (lines, splits, end) => {
        const c = await TestClient.connect(t.port);
        await c.login();
        // Each line is followed by a marker (MDTM of a file the fuzzed arguments cannot name): replies must alternate line → 213.
        const parts: Buffer[] = [];
        lines.forEach((l) => parts.push(l, Buffer.from(`\r\nMDTM /a.txt\r\n`)));
        const batch = Buffer.concat(parts);
        const cut = end === "reset-midway" ? Math.floor(batch.length / 2) : batch.length;
        let pos = 0;
        for (let i = 0; pos < cut; i++) {
          const size = Math.min(splits[i % splits.length]!, cut - pos);
          c.socket.write(batch.subarray(pos, pos + size));
          pos += size;
        }
        const disconnected = once(t.server, "disconnect");
        if (end === "reset-midway") {
          c.socket.resetAndDestroy();
          await disconnected;
          return;
        }
        for (let i = 0; i < lines.length; i++) {
          const r = await c.reply();
          assert.ok(r.code >= 200 && r.code < 600 && r.code !== 421, `line ${i} ${JSON.stringify(lines[i]!.toString("latin1").slice(0, 40))} → ${r.code} ${r.message}`);
          const marker = await c.reply();
          assert.equal(marker.code, 213, `marker after line ${i} → ${marker.code} ${marker.message}`);
        }
        if (end === "quit") assert.equal((await c.cmd("QUIT")).code, 221);
        else if (end === "end") c.socket.end();
        else c.socket.resetAndDestroy();
        await disconnected;
        c.close();
      }),
      { numRuns: RUNS },
    );
    assert.equal(t.server.connections.length, 0, "every session is gone");
    assert.equal(heldUploadLocks(), 0);
    // Passive listeners and sockets are fds: none may be left over (a small slack for the runtime's own).
    const fdsAfter = openFds();
    assert.ok(fdsAfter <= fdsBefore + 3, `fds ${fdsBefore} → ${fdsAfter}`);
  });
});
