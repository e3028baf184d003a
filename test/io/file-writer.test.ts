// FileWriter: write-behind into a real file. Byte-exact output for any chunking,
// positioned and appending writes, bounded memory, 'drain' while the disk is
// still busy, short writes, fs errors, destroy, and the commit/discard hooks.
// A writev seam (WritevProbe) slows, shortens or fails the real fs.writev.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { fstatSync, openSync, writev as fsWritev } from "node:fs";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { finished, pipeline } from "node:stream/promises";
import { FileWriter, openFileWriter, type FileWriterOptions, type WritevFunction } from "../../src/io/file-writer.js";

const total = (buffers: readonly Buffer[]) => buffers.reduce((n, b) => n + b.length, 0);

/** The first `limit` bytes of `buffers`, as views. */
function firstBytes(buffers: readonly Buffer[], limit: number): Buffer[] {
  const out: Buffer[] = [];
  let left = limit;
  for (const b of buffers) {
    if (left <= 0) break;
    out.push(b.length <= left ? b : b.subarray(0, left));
    left -= b.length;
  }
  return out;
}

interface ProbeOptions {
  /** Each call waits this long before writing. */
  delayMs?: number;
  /** Each call writes at most this many bytes (a short write). */
  maxBytes?: number;
  /** This call (1-based) fails with `errorCode` instead of writing. */
  failOnCall?: number;
  errorCode?: string;
  /** The first n calls write nothing and report 0 bytes. */
  zeroWrites?: number;
}

/** Wraps the real fs.writev: records calls and bytes, and can delay, shorten or fail them. */
class WritevProbe {
  calls = 0;
  inFlight = false;
  overlapping = 0;
  shortWrites = 0;
  largestBatch = 0;
  writtenBytes = 0;
  onCall: (() => void) | undefined;
  /** Called once a call has reported its injected failure. */
  onFailure: (() => void) | undefined;
  private zeroWritesLeft: number;

  constructor(private readonly options: ProbeOptions = {}) {
    this.zeroWritesLeft = options.zeroWrites ?? 0;
  }

  readonly writev: WritevFunction = (fd, buffers, position, callback) => {
    if (this.inFlight) this.overlapping++;
    const call = ++this.calls;
    this.inFlight = true;
    this.largestBatch = Math.max(this.largestBatch, total(buffers));
    this.onCall?.();
    const done = (error: NodeJS.ErrnoException | null, written: number) => {
      this.inFlight = false;
      this.writtenBytes += written;
      callback(error, written);
      if (error) this.onFailure?.();
    };
    const run = () => {
      if (call === this.options.failOnCall) {
        const code = this.options.errorCode ?? "ENOSPC";
        return done(Object.assign(new Error(`${code}: injected`), { code }), 0);
      }
      if (this.zeroWritesLeft > 0) {
        this.zeroWritesLeft--;
        return done(null, 0);
      }
      const wanted = total(buffers);
      const slice = this.options.maxBytes === undefined ? buffers : firstBytes(buffers, this.options.maxBytes);
      fsWritev(fd, slice, position, (error, written) => {
        if (!error && written < wanted) this.shortWrites++;
        done(error, written);
      });
    };
    if (this.options.delayMs) setTimeout(run, this.options.delayMs);
    else run();
  };
}

/**
 * Writes `chunks` honouring backpressure, then ends. `onWrite` sees the
 * bytes handed over so far (to measure what the writer holds).
 */
async function produce(writer: FileWriter, chunks: readonly Buffer[], onWrite?: (handedOver: number) => void): Promise<void> {
  let handedOver = 0;
  for (const chunk of chunks) {
    handedOver += chunk.length;
    const more = writer.write(chunk);
    onWrite?.(handedOver);
    if (!more) await once(writer, "drain");
  }
  writer.end();
  await finished(writer);
}

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

/** Resolves once the stream emitted 'close' (perhaps already). */
const closed = (stream: FileWriter) => (stream.closed ? Promise.resolve() : new Promise<void>((resolve) => stream.once("close", resolve)));

const isClosed = (fd: number) => {
  try {
    fstatSync(fd);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EBADF";
  }
};

describe("FileWriter", () => {
  let dir: string;
  let serial = 0;
  const file = () => join(dir, `f${serial++}.bin`);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ftpwire-file-writer-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("writes every byte in order, whatever the chunking and however short the writes", async () => {
    const chunking = fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 200_000 })), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(chunking, fc.constantFrom(1024, 16_384, 65_536), fc.option(fc.integer({ min: 2048, max: 50_000 })), async (sizes, highWaterMark, maxBytes) => {
        const path = file();
        const probe = new WritevProbe(maxBytes === null ? {} : { maxBytes });
        const chunks = sizes.map((n, i) => pattern(n, i));
        await produce(await openFileWriter(path, "w", { highWaterMark, writev: probe.writev }), chunks);
        assert.ok((await readFile(path)).equals(Buffer.concat(chunks)));
        assert.equal(probe.overlapping, 0, "one writev at a time");
        await rm(path);
      }),
      { numRuns: 40 },
    );
  });

  it("takes a write larger than highWaterMark, also from a producer that ignores backpressure", async () => {
    const path = file();
    const chunks = [pattern(1000, 1), pattern(100_000, 2), pattern(5, 3), pattern(70_000, 4)];
    const writer = await openFileWriter(path, "w", { highWaterMark: 16_384 });
    for (const chunk of chunks) writer.write(chunk);
    writer.end();
    await finished(writer);
    assert.ok((await readFile(path)).equals(Buffer.concat(chunks)));
  });

  it("writes at a position without truncating what lies past the end", async () => {
    const path = file();
    await writeFile(path, Buffer.alloc(100, "a"));
    await produce(await openFileWriter(path, "r+", { position: 10 }), [Buffer.alloc(15, "b"), Buffer.alloc(5, "c")]);
    assert.equal(await readFile(path, "latin1"), "a".repeat(10) + "b".repeat(15) + "c".repeat(5) + "a".repeat(70));
  });

  it("appends with a null position", async () => {
    const path = file();
    await writeFile(path, "head:");
    await produce(await openFileWriter(path, "a", { position: null }), [Buffer.from("one,"), Buffer.from("two")]);
    assert.equal(await readFile(path, "latin1"), "head:one,two");
  });

  it("accepts a FileHandle and closes it when done", async () => {
    const path = file();
    const handle = await open(path, "w");
    await produce(new FileWriter(handle), [Buffer.from("via handle")]);
    assert.equal(handle.fd, -1, "closed");
    assert.equal(await readFile(path, "latin1"), "via handle");
  });

  it("holds at most one batch in flight and one accumulating while the disk is slow", async () => {
    const highWaterMark = 64 * 1024;
    const chunkSize = 16 * 1024;
    const probe = new WritevProbe({ delayMs: 3 });
    const writer = await openFileWriter(file(), "w", { highWaterMark, writev: probe.writev });
    // Everything handed over but not yet written is memory the writer holds.
    let held = 0;
    let handedOverNow = 0;
    const sample = () => (held = Math.max(held, handedOverNow - probe.writtenBytes));
    probe.onCall = sample;
    await produce(writer, Array.from({ length: 200 }, (_, i) => pattern(chunkSize, i)), (handedOver) => {
      handedOverNow = handedOver;
      sample();
    });
    assert.ok(held <= 2 * highWaterMark + 2 * chunkSize, `held ${held} bytes`);
    assert.ok(probe.largestBatch <= highWaterMark + chunkSize, `a batch of ${probe.largestBatch} bytes`);
    // The bound was reached, so batching and backpressure were both exercised.
    assert.ok(held > highWaterMark, `held only ${held} bytes`);
  });

  it("emits 'drain' while the previous batch is still being written", async () => {
    const probe = new WritevProbe({ delayMs: 5 });
    const writer = await openFileWriter(file(), "w", { highWaterMark: 32 * 1024, writev: probe.writev });
    const atDrain: boolean[] = [];
    writer.on("drain", () => atDrain.push(probe.inFlight));
    await produce(writer, Array.from({ length: 100 }, (_, i) => pattern(8 * 1024, i)));
    assert.ok(atDrain.length >= 5, `${atDrain.length} drains`);
    assert.deepEqual(atDrain.filter((busy) => !busy), [], "every drain came while a writev was in flight");
  });

  it("receives a TCP socket into a file without losing a byte", async () => {
    const path = file();
    const data = randomBytes(8 * 1024 * 1024);
    const server = createServer((socket) => socket.end(data));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
      const probe = new WritevProbe({ delayMs: 1 });
      await pipeline(socket, await openFileWriter(path, "w", { highWaterMark: 256 * 1024, writev: probe.writev }));
      assert.ok((await readFile(path)).equals(data));
      assert.ok(probe.calls < 8 * 1024 * 1024 / 65_536, `${probe.calls} writevs: chunks were batched`);
    } finally {
      server.close();
    }
  });

  it("continues short and empty writes until every byte is written", async () => {
    const path = file();
    const short = new WritevProbe({ maxBytes: 777, zeroWrites: 3 });
    const chunks = [pattern(5000, 1), pattern(3, 2), pattern(20_000, 3)];
    await produce(await openFileWriter(path, "w", { writev: short.writev }), chunks);
    assert.ok((await readFile(path)).equals(Buffer.concat(chunks)));
    assert.ok(short.shortWrites > 10, `${short.shortWrites} short writes`);
  });

  it("gives up with EIO when the file keeps accepting nothing", async () => {
    const probe = new WritevProbe({ zeroWrites: Infinity });
    let finishedOk = false;
    const writer = await openFileWriter(file(), "w", { writev: probe.writev, commit: async () => void (finishedOk = true) });
    writer.on("finish", () => (finishedOk = true));
    await assert.rejects(produce(writer, [Buffer.from("abc")]), { code: "EIO" });
    assert.equal(finishedOk, false);
  });

  it("fails with the fs error and writes nothing after it", async () => {
    const path = file();
    const probe = new WritevProbe({ delayMs: 2, failOnCall: 3, errorCode: "ENOSPC" });
    let committed = false;
    let discarded = 0;
    const writer = await openFileWriter(path, "w", {
      highWaterMark: 16 * 1024,
      writev: probe.writev,
      commit: async () => void (committed = true),
      discard: async () => void discarded++,
    });
    let finishedOk = false;
    writer.on("finish", () => (finishedOk = true));
    const chunks = Array.from({ length: 50 }, (_, i) => pattern(8 * 1024, i));
    await assert.rejects(produce(writer, chunks), { code: "ENOSPC" });
    await closed(writer);
    assert.equal(probe.calls, 3, "no writev after the failed one");
    assert.equal(finishedOk, false);
    assert.equal(committed, false);
    assert.equal(discarded, 1);
    // Exactly what the first two writevs wrote is on disk: a prefix of the data.
    const onDisk = await readFile(path);
    assert.equal(onDisk.length, probe.writtenBytes);
    assert.ok(onDisk.equals(Buffer.concat(chunks).subarray(0, onDisk.length)));
  });

  it("reports a failed writev to the next write, which is not written", async () => {
    const probe = new WritevProbe({ failOnCall: 1, errorCode: "ENOSPC" });
    const writer = await openFileWriter(file(), "w", { writev: probe.writev });
    writer.on("error", () => {});
    const failed = new Promise<void>((resolve) => (probe.onFailure = resolve));
    writer.write(Buffer.from("first")); // accepted at once: its writev fails later
    await failed;
    assert.equal(writer.destroyed, false, "nothing has reported the failure yet");
    const [error] = await new Promise<[Error | null | undefined]>((resolve) => writer.write(Buffer.from("second"), (e) => resolve([e])));
    assert.equal((error as NodeJS.ErrnoException | undefined)?.code, "ENOSPC");
    assert.equal(probe.calls, 1, "the second chunk never reached the file");
  });

  it("fails end() when the last writev fails", async () => {
    const probe = new WritevProbe({ delayMs: 2, failOnCall: 1, errorCode: "EDQUOT" });
    let committed = false;
    const writer = await openFileWriter(file(), "w", { writev: probe.writev, commit: async () => void (committed = true) });
    writer.write(Buffer.from("the only chunk"));
    writer.end();
    await assert.rejects(finished(writer), { code: "EDQUOT" });
    assert.equal(committed, false);
    assert.equal(writer.writableFinished, false);
  });

  it("surfaces a real fs error (a read-only descriptor) as the stream's error", async () => {
    const path = file();
    await writeFile(path, "keep");
    const fd = openSync(path, "r");
    const writer = new FileWriter(fd);
    await assert.rejects(pipeline(async function* () {
      yield Buffer.from("x");
      yield Buffer.from("y");
    }, writer), { code: "EBADF" });
    await closed(writer);
    assert.ok(isClosed(fd), "the descriptor was closed");
    assert.equal(await readFile(path, "latin1"), "keep");
  });

  it("destroyed mid-write: waits for the writev in flight, closes the file, discards", async () => {
    const probe = new WritevProbe({ delayMs: 20 });
    const path = file();
    const fd = openSync(path, "w");
    const events: string[] = [];
    const writer = new FileWriter(fd, {
      writev: (...args) => {
        const callback = args[3];
        probe.writev(args[0], args[1], args[2], (error, written) => {
          events.push(isClosed(fd) ? "writev done after close" : "writev done");
          callback(error, written);
        });
      },
      commit: async () => void events.push("commit"),
      discard: async () => void events.push(isClosed(fd) ? "discard after close" : "discard before close"),
    });
    writer.on("error", () => events.push("error"));
    writer.write(pattern(1000, 1)); // starts a writev
    writer.write(pattern(1000, 2)); // waits for it
    assert.equal(probe.inFlight, true);
    writer.destroy();
    await closed(writer);
    assert.deepEqual(events, ["writev done", "discard after close"]);
    assert.equal(probe.calls, 1, "the waiting chunk is not written after destroy");
    assert.equal((await readFile(path)).length, 1000);
  });

  it("destroyed after end() while the last writev runs: discards, never commits", async () => {
    const probe = new WritevProbe({ delayMs: 20 });
    const events: string[] = [];
    const writer = await openFileWriter(file(), "w", {
      writev: probe.writev,
      commit: async () => void events.push("commit"),
      discard: async () => void events.push("discard"),
    });
    writer.on("finish", () => events.push("finish"));
    writer.end(Buffer.from("all the data"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(probe.inFlight, true);
    writer.destroy(new Error("transfer aborted"));
    writer.on("error", () => {});
    await closed(writer);
    assert.deepEqual(events, ["discard"]);
  });

  it("refuses a bad position before opening (a 'w' open would truncate)", async () => {
    const path = file();
    await writeFile(path, "precious");
    await assert.rejects(openFileWriter(path, "w", { position: -1 }), { code: "ERR_FTP_INVALID_ARGUMENT" });
    await assert.rejects(openFileWriter(path, "w", { position: 1.5 }), { code: "ERR_FTP_INVALID_ARGUMENT" });
    assert.equal(await readFile(path, "latin1"), "precious");
  });

  it("commits only after the file is closed, and 'finish' waits for the commit", async () => {
    const path = file();
    const fd = openSync(path, "w");
    const events: string[] = [];
    const writer = new FileWriter(fd, {
      commit: async () => {
        events.push(isClosed(fd) ? "commit after close" : "commit before close");
        // A commit that takes a while (a rename on a slow disk): later turns of the event loop.
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        events.push("committed");
      },
      discard: async () => void events.push("discard"),
    });
    writer.on("finish", () => events.push("finish"));
    await produce(writer, [pattern(100_000, 1), pattern(10, 2)]);
    await closed(writer);
    assert.deepEqual(events, ["commit after close", "committed", "finish"]);
  });

  it("fails and discards when the commit fails", async () => {
    const events: string[] = [];
    const options: FileWriterOptions = {
      commit: () => Promise.reject(Object.assign(new Error("rename failed"), { code: "EXDEV" })),
      discard: async () => void events.push("discard"),
    };
    const writer = await openFileWriter(file(), "w", options);
    writer.on("finish", () => events.push("finish"));
    await assert.rejects(produce(writer, [Buffer.from("data")]), { code: "EXDEV" });
    await closed(writer);
    assert.deepEqual(events, ["discard"]);
  });
});
