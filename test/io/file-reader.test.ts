// FileReader: byte-exact reads from an offset, the end recognised from the
// last (short) read so a small file costs one read, files that grow or
// shrink while read, and the descriptor closed on destroy.
import assert from "node:assert/strict";
import fs from "node:fs";
import { mkdtemp, rm, writeFile, appendFile, truncate } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import test from "node:test";
import { FileReader } from "../../src/io/file-reader.js";

function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Counts fs.read calls made while `body` runs (FileReader imports `read` from node:fs). */
async function countingReads<T>(body: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const original = fs.read;
  let reads = 0;
  (fs as { read: unknown }).read = (...args: unknown[]) => {
    reads++;
    return (original as (...a: unknown[]) => void)(...args);
  };
  syncBuiltinESMExports();
  try {
    return { result: await body(), reads };
  } finally {
    (fs as { read: unknown }).read = original;
    syncBuiltinESMExports();
  }
}

/** A connected pair of real loopback sockets: [sending side, receiving side]. */
async function socketPair(): Promise<[Socket, Socket, () => void]> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const sender = connect(port, "127.0.0.1");
  await once(sender, "connect");
  const [receiver] = await accepted;
  return [sender, receiver, () => server.close()];
}

test("file reader", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ftpwire-reader-"));
  t.after(() => rm(dir, { recursive: true, force: true }));

  await t.test("reads every size byte-exact, from any start, in chunks of at most chunkSize", async () => {
    const chunkSize = 1024;
    for (const size of [0, 1, 1023, 1024, 1025, 4096, 3 * 1024 + 7]) {
      const data = pattern(size);
      const path = join(dir, `f${size}`);
      await writeFile(path, data);
      for (const start of [0, 1, Math.floor(size / 2), size]) {
        if (start > size) continue;
        const fd = fs.openSync(path, "r");
        const reader = new FileReader(fd, { size, start, chunkSize });
        const chunks: Buffer[] = [];
        for await (const c of reader) chunks.push(c as Buffer);
        assert.ok(chunks.every((c) => c.length <= chunkSize), `size ${size}: a chunk exceeds chunkSize`);
        assert.deepEqual(Buffer.concat(chunks), data.subarray(start), `size ${size} start ${start}`);
      }
    }
  });

  await t.test("a file smaller than a chunk costs exactly one read (no extra read for the end)", async () => {
    const path = join(dir, "small");
    await writeFile(path, pattern(4096));
    const fd = fs.openSync(path, "r");
    const { result, reads } = await countingReads(() => collect(new FileReader(fd, { size: 4096 })));
    assert.equal(result.length, 4096);
    assert.equal(reads, 1);
  });

  await t.test("a file that grew since the stat is read to its new end", async () => {
    const path = join(dir, "growing");
    await writeFile(path, pattern(3000));
    const fd = fs.openSync(path, "r");
    await appendFile(path, Buffer.from("tail!"));
    const out = await collect(new FileReader(fd, { size: 3000, chunkSize: 1024 }));
    assert.deepEqual(out, Buffer.concat([pattern(3000), Buffer.from("tail!")]));
  });

  await t.test("a file truncated since the stat ends at its real end (a short read before the stat size is not trusted as the end)", async () => {
    const path = join(dir, "shrinking");
    await writeFile(path, pattern(5000));
    const fd = fs.openSync(path, "r");
    await truncate(path, 1500);
    const { result, reads } = await countingReads(() => collect(new FileReader(fd, { size: 5000, chunkSize: 1024 })));
    assert.deepEqual(result, pattern(1500));
    assert.ok(reads >= 3, `expected reads until 0 bytes, got ${reads}`);
  });

  await t.test("destroy closes the descriptor", async () => {
    const path = join(dir, "destroyed");
    await writeFile(path, pattern(10_000));
    const fd = fs.openSync(path, "r");
    const reader = new FileReader(fd, { size: 10_000, chunkSize: 1024 });
    await new Promise((resolve) => reader.once("data", resolve));
    reader.destroy();
    await new Promise((resolve) => reader.once("close", resolve));
    // The close runs in the background: wait until fstat sees the descriptor gone.
    // Each fstat is itself a round trip through the thread pool, as the close is: no timer needed.
    let closed = false;
    for (let i = 0; i < 1000 && !closed; i++) {
      closed = await new Promise<boolean>((resolve) => fs.fstat(fd, (error) => resolve(error?.code === "EBADF")));
    }
    assert.ok(closed, "descriptor still open after destroy");
  });

  await t.test("a read error (a directory's descriptor) destroys the stream with it", async () => {
    const fd = fs.openSync(dir, "r");
    const reader = new FileReader(fd, { size: 10 });
    await assert.rejects(collect(reader), (e: NodeJS.ErrnoException) => e.code === "EISDIR");
  });

  await t.test("sendTo: byte-exact through reused buffers while the receiver reads slowly (backpressure)", async () => {
    const size = 5 * 1024 * 1024 + 123;
    const data = pattern(size);
    const path = join(dir, "send-big");
    await writeFile(path, data);
    const [sender, receiver, close] = await socketPair();
    try {
      const chunks: Buffer[] = [];
      receiver.on("data", (c: Buffer) => {
        chunks.push(Buffer.from(c)); // a copy: what arrived, not a view that could change later
        // A slow receiver: it takes each chunk on a later turn of the event loop.
        receiver.pause();
        setImmediate(() => receiver.resume());
      });
      const ended = once(receiver, "end");
      await new FileReader(fs.openSync(path, "r"), { size, start: 7, chunkSize: 256 * 1024 }).sendTo(sender);
      await ended;
      assert.ok(Buffer.concat(chunks).equals(data.subarray(7)), "received bytes differ");
    } finally {
      sender.destroy();
      receiver.destroy();
      close();
    }
  });

  await t.test("sendTo: a small file is one read and one write, then the socket ends", async () => {
    const path = join(dir, "send-small");
    await writeFile(path, pattern(4096));
    const [sender, receiver, close] = await socketPair();
    try {
      const received = collect(receiver);
      const { reads } = await countingReads(() => new FileReader(fs.openSync(path, "r"), { size: 4096 }).sendTo(sender));
      assert.deepEqual(await received, pattern(4096));
      assert.equal(reads, 1);
    } finally {
      close();
    }
  });

  await t.test("sendTo: the receiver going away rejects and destroys the reader; an abort rejects with its reason", async () => {
    const path = join(dir, "send-broken");
    await writeFile(path, pattern(8 * 1024 * 1024));
    const [sender, receiver, close] = await socketPair();
    try {
      const reader = new FileReader(fs.openSync(path, "r"), { size: 8 * 1024 * 1024, chunkSize: 64 * 1024 });
      sender.on("error", () => {}); // the reset may surface on the socket too
      const sending = reader.sendTo(sender);
      receiver.once("data", () => receiver.destroy());
      await assert.rejects(sending);
      assert.ok(reader.destroyed);
      assert.ok(sender.destroyed);
    } finally {
      close();
    }
    const [sender2, receiver2, close2] = await socketPair();
    try {
      receiver2.pause(); // nobody reads: the send stalls until the abort
      const controller = new AbortController();
      const reader = new FileReader(fs.openSync(path, "r"), { size: 8 * 1024 * 1024 });
      sender2.on("error", () => {}); // the abort destroys the socket with its reason
      const sending = reader.sendTo(sender2, controller.signal);
      // Nobody reads, so the send is still running whenever the abort comes.
      setImmediate(() => controller.abort(new Error("stop now")));
      await assert.rejects(sending, /stop now/);
      assert.ok(reader.destroyed);
    } finally {
      receiver2.destroy();
      close2();
    }
  });

  await t.test("sendTo: a read error destroys the reader with it (the storage side failed) and the socket too", async () => {
    const [sender, receiver, close] = await socketPair();
    try {
      sender.on("error", () => {});
      const reader = new FileReader(fs.openSync(dir, "r"), { size: 10 });
      const seen: Error[] = [];
      reader.on("error", (e) => seen.push(e));
      await assert.rejects(reader.sendTo(sender), (e: NodeJS.ErrnoException) => e.code === "EISDIR");
      assert.equal((seen[0] as NodeJS.ErrnoException | undefined)?.code, "EISDIR");
      assert.ok(sender.destroyed);
    } finally {
      receiver.destroy();
      close();
    }
  });
});
