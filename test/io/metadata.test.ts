// Metadata: the same answers as node:fs, synchronously while calls are fast,
// through the thread pool after a slow one (and in "async" mode).
import assert from "node:assert/strict";
import { mkdtemp, rm, symlink, writeFile, realpath as fsRealpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { Metadata } from "../../src/io/metadata.js";

test("metadata lookups", async (t) => {
  const dir = await fsRealpath(await mkdtemp(join(tmpdir(), "ftpwire-meta-")));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "file"), "12345");
  await symlink(join(dir, "file"), join(dir, "link"));

  for (const mode of ["auto", "async"] as const) {
    await t.test(`${mode}: realpath, stat and lstatOrUndefined answer like node:fs`, async () => {
      const meta = new Metadata({ mode });
      assert.equal(await meta.realpath(join(dir, "link")), join(dir, "file"));
      assert.equal((await meta.stat(join(dir, "link"))).size, 5);
      assert.ok((await meta.lstatOrUndefined(join(dir, "link")))?.isSymbolicLink());
      assert.equal(await meta.lstatOrUndefined(join(dir, "missing")), undefined);
      await assert.rejects(meta.stat(join(dir, "missing")), (e: NodeJS.ErrnoException) => e.code === "ENOENT");
      await assert.rejects(meta.realpath(join(dir, "missing")), (e: NodeJS.ErrnoException) => e.code === "ENOENT");
      await assert.rejects(meta.lstatOrUndefined(join(dir, "file", "below")), (e: NodeJS.ErrnoException) => e.code === "ENOTDIR");
    });
  }

  await t.test("auto runs synchronously while calls are fast", async () => {
    const meta = new Metadata({ slowMs: 1000 });
    assert.equal(meta.synchronous, true);
    await meta.stat(dir);
    assert.equal(meta.synchronous, true);
  });

  await t.test("a call slower than slowMs sends calls to the thread pool for the cool-down, then sync is tried again", async () => {
    const meta = new Metadata({ slowMs: -1, coolDownMs: 60 });
    await meta.stat(dir);
    assert.equal(meta.synchronous, false);
    // Still answered (through the pool) meanwhile.
    assert.equal((await meta.stat(join(dir, "file"))).size, 5);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(meta.synchronous, true);
  });

  await t.test('"async" never runs on the event loop', async () => {
    const meta = new Metadata({ mode: "async" });
    assert.equal(meta.synchronous, false);
  });
});
