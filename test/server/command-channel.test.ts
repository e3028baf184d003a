// The server's control codec on its own: lines in, corked replies out, over-long
// lines reported once, and the socket swappable (the seam AUTH TLS will use).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Duplex } from "node:stream";
import { CommandChannel } from "../../src/control/server-channel.js";
import type { CommandLine } from "../../src/protocol/types.js";

/** A Duplex whose writes are collected and whose reads are fed by the test. */
function fakeSocket(): { socket: Duplex; written: () => string; feed: (s: string | Buffer) => void } {
  const input = new PassThrough();
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  input.on("data", (c: Buffer) => socket.push(c));
  return { socket, written: () => Buffer.concat(chunks).toString("latin1"), feed: (s) => input.write(s) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("CommandChannel", () => {
  it("parses lines across chunks and reports an over-long line once", async () => {
    const { socket, feed } = fakeSocket();
    const lines: CommandLine[] = [];
    new CommandChannel(socket, { maxLineLength: 16 }, { onLine: (l) => lines.push(l), onClose: () => {} });
    feed("NO");
    feed("OP\r\nRETR a b\r\n");
    feed(`STOR ${"x".repeat(40)}`);
    feed(`${"y".repeat(40)}\r\nPWD\r\n`);
    await tick();
    assert.deepEqual(
      lines.map((l) => (l.kind === "command" ? `${l.command.verb}|${l.command.arg}` : "too-long")),
      ["NOOP|", "RETR|a b", "too-long", "PWD|"],
    );
  });

  it("writes replies of one tick together (cork → one writev), multi-line form included", async () => {
    const batches: number[] = [];
    const chunks: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        batches.push(1);
        chunks.push(chunk);
        cb();
      },
      writev(list, cb) {
        batches.push(list.length);
        for (const { chunk } of list) chunks.push(chunk as Buffer);
        cb();
      },
    });
    const channel = new CommandChannel(socket, { maxLineLength: 100 }, { onLine: () => {}, onClose: () => {} });
    channel.send(150, "Opening");
    channel.send(226, ["Done", "really"]);
    await tick();
    assert.equal(Buffer.concat(chunks).toString(), "150 Opening\r\n226-Done\r\n226 really\r\n");
    assert.deepEqual(batches, [2]);
  });

  it("replaceSocket moves reading and writing to the new socket", async () => {
    const a = fakeSocket();
    const b = fakeSocket();
    const lines: string[] = [];
    const channel = new CommandChannel(
      a.socket,
      { maxLineLength: 100 },
      { onLine: (l) => lines.push(l.kind === "command" ? l.command.verb : "?"), onClose: () => {} },
    );
    a.feed("AUTH TLS\r\n");
    await tick();
    channel.send(234, "Proceed");
    await tick();
    channel.replaceSocket(b.socket);
    a.feed("NOOP\r\n"); // the old socket is no longer read
    b.feed("PBSZ 0\r\n");
    await tick();
    channel.send(200, "PBSZ=0");
    await tick();
    assert.deepEqual(lines, ["AUTH", "PBSZ"]);
    assert.equal(a.written(), "234 Proceed\r\n");
    assert.equal(b.written(), "200 PBSZ=0\r\n");
    assert.equal(channel.current, b.socket);
  });

  it("end() sends the last reply and closes; later sends are dropped", async () => {
    const { socket, written } = fakeSocket();
    let closed = 0;
    const channel = new CommandChannel(socket, { maxLineLength: 100 }, { onLine: () => {}, onClose: () => closed++ });
    channel.end(221, "Goodbye");
    channel.send(200, "late");
    socket.destroy();
    await tick();
    assert.equal(written(), "221 Goodbye\r\n");
    assert.equal(channel.isOpen, false);
    assert.equal(closed, 1);
  });
});

describe("CommandChannel.throttle", () => {
  it("stops reading while throttled; a hold keeps it stopped after the throttle ends, and the other way round", async () => {
    const { socket, feed } = fakeSocket();
    const lines: string[] = [];
    const channel = new CommandChannel(socket, { maxLineLength: 64 }, {
      onLine: (l) => lines.push(l.kind === "command" ? l.command.verb : "too-long"),
      onClose: () => {},
    });
    channel.throttle(true);
    feed("NOOP\r\n");
    await tick();
    assert.deepEqual(lines, [], "nothing read while throttled");
    channel.throttle(false);
    await tick();
    assert.deepEqual(lines, ["NOOP"]);
    channel.hold();
    channel.throttle(true);
    channel.release();
    feed("PWD\r\n");
    await tick();
    assert.deepEqual(lines, ["NOOP"], "release() does not resume a throttled channel");
    channel.hold();
    channel.throttle(false);
    await tick();
    assert.deepEqual(lines, ["NOOP"], "the end of a throttle does not resume a held channel");
    channel.release();
    await tick();
    assert.deepEqual(lines, ["NOOP", "PWD"]);
  });
});
