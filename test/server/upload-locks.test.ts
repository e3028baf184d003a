// Issue 11, defect 4: two uploads to one file at once used to interleave
// (STOR of 'A' and APPE of 'B' left 16 MiB A + part of B) or, under
// atomicUploads, silently lose one (the last rename won), while both
// clients got 226. Now one upload per file at a time: the second gets 450
// before 150, and the result is always what one serial order gives.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { FileSystemError, type FileSystem } from "../../src/storage/file-system.js";
import { heldUploadLocks } from "../../src/server/upload-locks.js";
import { startServer, writeAll, type TestServer } from "./helpers/ftp-test-client.js";

const MiB = 1 << 20;
const SIZE = 16 * MiB;

/** How many bytes of each letter, and whether the file is one run of A then one run of B. */
function shape(buf: Buffer): { a: number; b: number; serial: boolean } {
  const firstB = buf.indexOf(0x42);
  const a = firstB === -1 ? buf.length : firstB;
  const rest = buf.subarray(a);
  return { a, b: rest.length, serial: !rest.includes(0x41) && !buf.subarray(0, a).includes(0x42) };
}

for (const atomicUploads of [false, true]) {
  describe(`simultaneous uploads to one file (atomicUploads: ${atomicUploads})`, () => {
    let dir: string;
    let t: TestServer;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "ftpwire-locks-"));
      // Two sessions, two FileSystem objects over one folder: the lock is shared.
      t = await startServer({
        authenticate: ({ password }) => (password === "secret" ? { fileSystem: new LocalFileSystem(dir, { atomicUploads }) } : null),
      });
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("16 MiB STOR of 'A' raced by APPE of 'B': the APPE gets 450, the file is 16 MiB of A, then APPE appends", async () => {
      const stor = await t.login();
      const appe = await t.login();
      await stor.cmd("TYPE I");
      await appe.cmd("TYPE I");
      const storData = await stor.pasv();
      assert.equal((await stor.cmd("STOR /race.bin")).code, 150);
      // Part of the STOR is on its way when the APPE arrives.
      storData.write(Buffer.alloc(MiB, 0x41));
      const appeData = await appe.pasv();
      appeData.on("error", () => {});
      const refused = await appe.cmd("APPE /race.bin");
      assert.equal(refused.code, 450, `APPE during STOR → ${refused.code} ${refused.message}`);
      appeData.destroy();
      await writeAll(storData, Buffer.alloc(SIZE - MiB, 0x41));
      assert.equal((await stor.reply()).code, 226);
      assert.deepEqual(shape(readFileSync(join(dir, "race.bin"))), { a: SIZE, b: 0, serial: true });
      // Once the STOR is over, the APPE may run: the serial result, nothing lost.
      const again = await appe.pasv();
      assert.equal((await appe.cmd("APPE /race.bin")).code, 150);
      await writeAll(again, Buffer.alloc(SIZE, 0x42));
      assert.equal((await appe.reply()).code, 226);
      assert.deepEqual(shape(readFileSync(join(dir, "race.bin"))), { a: SIZE, b: SIZE, serial: true });
      assert.equal(heldUploadLocks(), 0);
    });

    it("two STORs: the second gets 450, the first one's bytes are kept", async () => {
      const first = await t.login();
      const second = await t.login();
      await first.cmd("TYPE I");
      await second.cmd("TYPE I");
      const d1 = await first.pasv();
      assert.equal((await first.cmd("STOR /two.bin")).code, 150);
      d1.write("A");
      await second.pasv().then((s) => s.on("error", () => {}));
      assert.equal((await second.cmd("STOR /two.bin")).code, 450);
      await writeAll(d1, Buffer.alloc(MiB - 1, 0x41));
      assert.equal((await first.reply()).code, 226);
      assert.deepEqual(shape(readFileSync(join(dir, "two.bin"))), { a: MiB, b: 0, serial: true });
      // An aborted upload releases the lock too.
      const d2 = await second.pasv();
      d2.on("error", () => {});
      assert.equal((await second.cmd("STOR /two.bin")).code, 150);
      d2.write("B");
      second.send("ABOR");
      assert.equal((await second.reply()).code, 426);
      assert.equal((await second.reply()).code, 226);
      assert.equal(heldUploadLocks(), 0);
    });
  });
}

describe("FileSystem.lock for storage shared by several processes", () => {
  let t: TestServer;
  const calls: string[] = [];
  before(async () => {
    const fs: FileSystem = Object.assign(new MemoryFileSystem(), {
      async lock(path: string) {
        calls.push(`lock ${path}`);
        if (path === "/elsewhere.bin") throw new FileSystemError("EBUSY");
        return { release: async () => void calls.push(`release ${path}`) };
      },
    });
    t = await startServer({}, fs);
  });
  after(() => t.close());

  it("is taken for the upload and released after its final reply; EBUSY from it gives 450", async () => {
    const c = await t.login();
    const d = await c.pasv();
    assert.equal((await c.cmd("STOR /mine.bin")).code, 150);
    await writeAll(d, "x");
    assert.equal((await c.reply()).code, 226);
    assert.equal((await c.cmd("NOOP")).code, 200);
    assert.deepEqual(calls, ["lock /mine.bin", "release /mine.bin"]);
    await c.pasv().then((s) => s.on("error", () => {}));
    assert.equal((await c.cmd("STOR /elsewhere.bin")).code, 450);
    assert.equal(heldUploadLocks(), 0);
  });
});
