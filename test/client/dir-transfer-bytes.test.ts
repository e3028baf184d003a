// uploadDir/downloadDir add up the bytes of every file, whatever the
// concurrency. Issue 12: `bytes += (await pool.run(...)).bytes` read `bytes`
// before the await, so parallel workers overwrote each other's sums
// (819,202 bytes reported as 98,306 at concurrency 8).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, createServer, MemoryFileSystem } from "../../src/index.js";

/** 12 files of different sizes, one in a sub-folder; their total. */
async function makeTree(root: string): Promise<number> {
  await mkdir(join(root, "sub"), { recursive: true });
  let total = 0;
  for (let i = 0; i < 12; i++) {
    const size = 8 * 1024 + i * 4099;
    total += size;
    await writeFile(join(root, i === 11 ? "sub" : "", `f${i}.bin`), Buffer.alloc(size, i));
  }
  return total;
}

for (const concurrency of [1, 8]) {
  test(`uploadDir and downloadDir report every byte at concurrency ${concurrency}`, async (t) => {
    const local = await mkdtemp(join(tmpdir(), "ftpwire-dirbytes-"));
    t.after(() => rm(local, { recursive: true, force: true }));
    const total = await makeTree(join(local, "up"));
    const fileSystem = new MemoryFileSystem();
    const server = createServer({ authenticate: () => ({ fileSystem }) });
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    t.after(() => server.close({ graceMs: 0 }));
    const client = await Client.connect({ host: "127.0.0.1", port, user: "u", password: "p" });
    t.after(() => client.close());

    const up = await client.uploadDir(join(local, "up"), "/tree", { concurrency });
    assert.deepEqual(up, { files: 12, bytes: total });
    const down = await client.downloadDir("/tree", join(local, "down"), { concurrency });
    assert.deepEqual(down, { files: 12, bytes: total });
    assert.deepEqual(await readFile(join(local, "down", "sub", "f11.bin")), await readFile(join(local, "up", "sub", "f11.bin")));
  });
}
