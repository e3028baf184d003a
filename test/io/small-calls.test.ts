// SmallCalls: the same answers as node:fs, synchronously while calls are fast,
// through the thread pool after a slow one (and in "async" mode).
import assert from "node:assert/strict";
import { mkdtemp, rm, symlink, writeFile, realpath as fsRealpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { SMALL_IO_BYTES, SmallCalls } from "../../src/io/small-calls.js";

test("metadata lookups", async (t) => {
  const dir = await fsRealpath(await mkdtemp(join(tmpdir(), "ftpwire-meta-")));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "file"), "12345");
  await symlink(join(dir, "file"), join(dir, "link"));

  for (const mode of ["auto", "async"] as const) {
    await t.test(`${mode}: realpath, stat and lstatOrUndefined answer like node:fs`, async () => {
      const meta = new SmallCalls({ mode });
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
    const meta = new SmallCalls({ slowMs: 1000 });
    assert.equal(meta.synchronous, true);
    await meta.stat(dir);
    assert.equal(meta.synchronous, true);
  });

  await t.test("a call slower than slowMs sends calls to the thread pool for the cool-down, then sync is tried again (injected clock)", async () => {
    let now = 1000;
    const meta = new SmallCalls({ slowMs: -1, coolDownMs: 60, clock: () => now });
    await meta.stat(dir);
    assert.equal(meta.synchronous, false);
    // Still answered (through the pool) meanwhile.
    assert.equal((await meta.stat(join(dir, "file"))).size, 5);
    now += 59;
    assert.equal(meta.synchronous, false, "still cooling down at 59 ms");
    now += 1;
    assert.equal(meta.synchronous, true);
  });

  await t.test('"async" never runs on the event loop', async () => {
    const meta = new SmallCalls({ mode: "async" });
    assert.equal(meta.synchronous, false);
  });
});

test("small calls: open, read, writev and close", async (t) => {
  const dir = await fsRealpath(await mkdtemp(join(tmpdir(), "ftpwire-calls-")));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const viaCallback = <T>(run: (cb: (e: NodeJS.ErrnoException | null, v: T) => void) => void) =>
    new Promise<T>((resolve, reject) => run((e, v) => (e ? reject(e) : resolve(v))));

  for (const mode of ["auto", "async"] as const) {
    await t.test(`${mode}: a small write and read round-trip, positioned; errors keep their codes`, async () => {
      const calls = new SmallCalls({ mode });
      const path = join(dir, `f-${mode}`);
      const fd = await calls.open(path, "w+");
      const written = await viaCallback<number>((cb) => calls.writev(fd, [Buffer.from("hello "), Buffer.from("world")], 0, cb));
      assert.equal(written, 11);
      const buffer = Buffer.alloc(5);
      const read = await viaCallback<number>((cb) => calls.read(fd, buffer, 0, 5, 6, cb));
      assert.equal(buffer.subarray(0, read).toString(), "world");
      await calls.close(fd);
      await assert.rejects(calls.close(fd), (e: NodeJS.ErrnoException) => e.code === "EBADF");
      await assert.rejects(calls.open(join(dir, "missing", "x"), "r"), (e: NodeJS.ErrnoException) => e.code === "ENOENT");
    });
  }

  await t.test("the callback of a synchronous read or write still comes later, never inside the call", async () => {
    const calls = new SmallCalls({ slowMs: 1000 });
    const fd = await calls.open(join(dir, "order"), "w+");
    const order: string[] = [];
    const done = new Promise<void>((resolve) =>
      calls.writev(fd, [Buffer.from("x")], 0, () => {
        order.push("callback");
        resolve();
      }),
    );
    order.push("returned");
    await done;
    assert.deepEqual(order, ["returned", "callback"]);
    await calls.close(fd);
  });

  await t.test("a large write goes to the thread pool even while small calls are synchronous", async () => {
    const calls = new SmallCalls({ slowMs: -1 }); // any synchronous call would flip the policy
    const fd = await calls.open(join(dir, "large"), "w"); // synchronous: flips to the pool
    const fresh = new SmallCalls({ slowMs: -1 });
    const written = await viaCallback<number>((cb) => fresh.writev(fd, [Buffer.alloc(SMALL_IO_BYTES + 1)], 0, cb));
    assert.equal(written, SMALL_IO_BYTES + 1);
    assert.equal(fresh.synchronous, true, "the large write ran synchronously (it would have flipped the policy)");
    assert.equal(calls.synchronous, false);
    await fresh.close(fd);
  });
});

test("small calls: one slowish call (preemption, GC) keeps the synchronous path; two in a row or one very slow switch to the pool", async () => {
  let now = 0;
  let nextDuration = 0;
  // While a call runs, every clock read advances by the chosen duration, so its end is that much after its start.
  const clock = () => (now += nextDuration);
  const calls = new SmallCalls({ slowMs: 1, coolDownMs: 1000, clock });
  const statTaking = async (ms: number) => {
    nextDuration = ms;
    await calls.stat(tmpdir());
    nextDuration = 0;
  };
  await statTaking(3); // slow, alone
  assert.equal(calls.synchronous, true);
  await statTaking(0.1); // fast: the streak resets
  await statTaking(3);
  assert.equal(calls.synchronous, true);
  await statTaking(3); // second slow call in a row
  assert.equal(calls.synchronous, false);
  now += 1001; // after the cool-down the synchronous path is tried again
  assert.equal(calls.synchronous, true);
  await statTaking(11); // one call over 10 x slowMs is enough
  assert.equal(calls.synchronous, false);
});
