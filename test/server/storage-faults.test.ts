// Issue 11, fault harness: storage whose every call is delayed by a random
// number of event-loop turns and may fail (EIO, ENOSPC, EACCES) on a random
// call, while the client races ABOR, a reset, QUIT, or the server's close()
// against those await points, or is killed in the middle of STOR/RETR.
// Properties: the process never crashes (an unhandled 'error' would end the
// run), every reply is a valid final or preliminary code, an upload whose
// storage failed is never answered 226, and afterwards no session, upload
// lock or file descriptor is left. `npm run fuzz` sets FUZZ_RUNS.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import fc from "fast-check";
import { startServer, TestClient } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { FileSystemError, type FileSystemReadOptions, type FileSystemWriteOptions } from "../../src/storage/file-system.js";
import type { FileInfo } from "../../src/protocol/types.js";
import { heldUploadLocks } from "../../src/server/upload-locks.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const FAULTS = ["EIO", "ENOSPC", "EACCES"] as const;

const turns = (n: number) => new Promise<void>((resolve) => {
  const step = (k: number): void => (k <= 0 ? resolve() : void setImmediate(() => step(k - 1)));
  step(n);
});

/** MemoryFileSystem with a delay before every call, and one call (by number) that fails. */
class FaultyFileSystem extends MemoryFileSystem {
  calls = 0;
  failedWrite = false;
  constructor(
    private readonly delays: readonly number[],
    private readonly failAt: number,
    private readonly fault: (typeof FAULTS)[number],
  ) {
    super({ "/a.bin": Buffer.alloc(64 * 1024, 7), "/d/": "" });
  }
  private async gate(method: string): Promise<void> {
    const n = this.calls++;
    await turns(this.delays[n % this.delays.length]!);
    if (n === this.failAt) {
      if (method === "write") this.failedWrite = true;
      throw Object.assign(new FileSystemError(this.fault === "EIO" ? "EINVAL" : this.fault), { code: this.fault });
    }
  }
  override async stat(p: string): Promise<FileInfo> { await this.gate("stat"); return super.stat(p); }
  override async list(p: string): Promise<FileInfo[]> { await this.gate("list"); return super.list(p); }
  override async read(p: string, o?: FileSystemReadOptions): Promise<Readable> { await this.gate("read"); return super.read(p, o); }
  override async write(p: string, o?: FileSystemWriteOptions): Promise<Writable> { await this.gate("write"); return super.write(p, o); }
  override async mkdir(p: string): Promise<void> { await this.gate("mkdir"); return super.mkdir(p); }
  override async unlink(p: string): Promise<void> { await this.gate("unlink"); return super.unlink(p); }
  override async rename(a: string, b: string): Promise<void> { await this.gate("rename"); return super.rename(a, b); }
}

const op = fc.constantFrom("STOR", "APPE", "RETR", "LIST", "MKD", "DELE", "RNFR", "SIZE");
const race = fc.constantFrom("none", "abor", "reset", "quit", "close", "kill-data");

describe("storage faults and races", () => {
  it(`${RUNS} cases: no crash, valid replies, no 226 for a failed write, nothing leaks`, async () => {
    const fdsBefore = readdirSync("/proc/self/fd").length;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom(...FAULTS),
        fc.array(op, { minLength: 1, maxLength: 4 }),
        race,
        fc.integer({ min: 0, max: 6 }),
        async (delays, failAt, fault, ops, action, when) => {
          const fs = new FaultyFileSystem(delays, failAt, fault);
          const t = await startServer({ timeouts: { data: 1000 } }, fs);
          try {
            const c = await TestClient.connect(t.port);
            await c.login();
            await c.cmd("TYPE I");
            for (const [i, verb] of ops.entries()) {
              const last = i === ops.length - 1;
              const transfer = verb === "STOR" || verb === "APPE" || verb === "RETR" || verb === "LIST";
              const arg = verb === "MKD" ? `/d/n${i}` : verb === "LIST" ? "/" : verb === "STOR" || verb === "APPE" ? `/u${i}.bin` : "/a.bin";
              const data = transfer ? await c.pasv().catch(() => undefined) : undefined;
              data?.on("error", () => {});
              fs.failedWrite = false; // per command: a later upload may well succeed
              c.send(`${verb} ${arg}`);
              if (last && action !== "none") {
                await turns(when);
                if (action === "abor") c.send("ABOR");
                else if (action === "quit") c.send("QUIT");
                else if (action === "reset") c.socket.resetAndDestroy();
                else if (action === "kill-data") data?.resetAndDestroy();
                else if (action === "close") void t.server.close({ graceMs: 0 });
              }
              if (data && (verb === "STOR" || verb === "APPE")) data.end(Buffer.alloc(100_000, 1));
              else data?.resume();
              // Read replies until a final one for this command (or the connection ends).
              for (let k = 0; k < 6; k++) {
                const r = await c.reply(3000).catch(() => undefined);
                if (!r) break;
                assert.ok(r.code >= 100 && r.code < 600, `${verb} → ${r.code}`);
                if (r.code === 226 && (verb === "STOR" || verb === "APPE") && fs.failedWrite && action === "none") {
                  assert.fail(`${verb} answered 226 although write() failed with ${fault}`);
                }
                if (r.code >= 200 && !(action === "abor" && last && r.code === 426)) break;
              }
              if (c.socket.destroyed) break;
            }
            c.close();
          } finally {
            await t.close();
          }
          // close() resolves after the last session is gone (issue 11 defect 5).
          assert.equal(t.server.connections.length, 0);
          // An upload's lock is released after its final reply, which may come after the session closed.
          for (let i = 0; heldUploadLocks() > 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
          assert.equal(heldUploadLocks(), 0);
        },
      ),
      { numRuns: RUNS, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH } : {}) },
    );
    const fdsAfter = readdirSync("/proc/self/fd").length;
    assert.ok(fdsAfter <= fdsBefore + 3, `fds ${fdsBefore} → ${fdsAfter}`);
  });
});
