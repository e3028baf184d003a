// ReplyChannel over real loopback sockets: reply matching, preliminary
// replies, buffering before a waiter, timeouts, drops, socket swap and upgrade.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { ReplyChannel } from "../../src/control/client-channel.js";
import { FtpError } from "../../src/errors.js";
import { ManualClock } from "./manual-clock.js";

async function pair(): Promise<{ server: Server; client: Socket; peer: Socket; close(): void }> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const accepted = once(server, "connection");
  const client = connect({ host: "127.0.0.1", port });
  await once(client, "connect");
  const [peer] = (await accepted) as [Socket];
  peer.on("error", () => {});
  return {
    server, client, peer,
    close: () => {
      client.destroy();
      peer.destroy();
      server.close();
    },
  };
}

function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const lf = text.indexOf("\n");
      if (lf !== -1) {
        socket.off("data", onData);
        resolve(text.slice(0, lf + 1));
      }
    };
    socket.on("data", onData);
  });
}

test("a reply that arrives before anyone waits is kept (the greeting)", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const arrived = once(channel, "reply");
    p.peer.write("220 hello\r\n");
    await arrived; // parsed while nobody waited
    const reply = await channel.nextReply();
    assert.deepEqual(reply, { code: 220, lines: ["hello"], message: "hello" });
    channel.close();
  } finally {
    p.close();
  }
});

test("request() writes the exact bytes and skips preliminary replies, handing them over", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const commands: string[] = [];
    channel.on("command", (c) => commands.push(c));
    const line = readLine(p.peer);
    const prelim: number[] = [];
    const pending = channel.request("RETR", "a b.txt", (r) => prelim.push(r.code));
    assert.equal(await line, "RETR a b.txt\r\n");
    // Split across writes, multi-line final reply.
    p.peer.write("150 Open");
    p.peer.write("ing\r\n226-Done\r\n more\r");
    p.peer.write("\n226 End\r\n");
    const reply = await pending;
    assert.deepEqual(prelim, [150]);
    assert.equal(reply.code, 226);
    assert.deepEqual(reply.lines, ["Done", " more", "End"]);
    assert.deepEqual(commands, ["RETR a b.txt"]);
    channel.close();
  } finally {
    p.close();
  }
});

test("PASS is shown redacted in the command event", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const commands: string[] = [];
    channel.on("command", (c) => commands.push(c));
    const line = readLine(p.peer);
    channel.write("PASS", "s3cret");
    assert.equal(await line, "PASS s3cret\r\n");
    assert.deepEqual(commands, ["PASS ***"]);
    channel.close();
  } finally {
    p.close();
  }
});

test("CR/LF in an argument is refused before anything is written", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    assert.throws(() => channel.write("CWD", "a\r\nDELE b"), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_INVALID_ARGUMENT");
    const got = readLine(p.peer);
    channel.write("NOOP");
    // The first line the peer sees is the NOOP: nothing of the refused command went out.
    assert.equal(await got, "NOOP\r\n");
    channel.close();
  } finally {
    p.close();
  }
});

test("replies are matched to waiters in order", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const a = channel.nextReply();
    const b = channel.nextReply();
    p.peer.write("200 a\r\n250 b\r\n");
    assert.equal((await a).code, 200);
    assert.equal((await b).code, 250);
    channel.close();
  } finally {
    p.close();
  }
});

test("silence while waiting times out with ERR_FTP_TIMEOUT and closes", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 80 });
    const closed = once(channel, "close");
    await assert.rejects(channel.nextReply(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TIMEOUT");
    const [error] = await closed;
    assert.equal((error as FtpError).code, "ERR_FTP_TIMEOUT");
    assert.equal(channel.isClosed, true);
  } finally {
    p.close();
  }
});

test("suspendTimeout() keeps a long silence from closing the channel (mock clock)", async (t) => {
  const p = await pair();
  try {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const channel = new ReplyChannel(p.client, { timeoutMs: 60, replyTimeoutMs: 60 });
    channel.suspendTimeout();
    const pending = channel.nextReply();
    t.mock.timers.tick(10_000);
    assert.equal(channel.isClosed, false);
    t.mock.timers.reset();
    p.peer.write("226 ok\r\n");
    assert.equal((await pending).code, 226);
    channel.resumeTimeout();
    channel.close();
  } finally {
    p.close();
  }
});

test("a drop rejects the pending waiter with ERR_FTP_CLOSED", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const pending = channel.nextReply();
    p.peer.destroy();
    await assert.rejects(pending, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
    await assert.rejects(channel.nextReply(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
    assert.throws(() => channel.write("NOOP"), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
  } finally {
    p.close();
  }
});

test("a line that is not a reply closes the channel with ERR_FTP_PROTOCOL", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const pending = channel.nextReply();
    p.peer.write("HTTP/1.1 400 Bad Request\r\n");
    await assert.rejects(pending, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_PROTOCOL");
  } finally {
    p.close();
  }
});

test("an over-long line closes the channel with ERR_FTP_LINE_TOO_LONG", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000, maxLineLength: 64 });
    const pending = channel.nextReply();
    p.peer.write("200 " + "x".repeat(200));
    await assert.rejects(pending, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_LINE_TOO_LONG");
  } finally {
    p.close();
  }
});

test("an unsolicited 421 closes the channel; the 421 is still readable", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const closed = once(channel, "close");
    p.peer.write("421 idle timeout\r\n");
    const [error] = await closed;
    assert.equal((error as FtpError).code, "ERR_FTP_CLOSED");
    assert.equal((error as FtpError).replyCode, 421);
    assert.equal((await channel.nextReply()).code, 421);
  } finally {
    p.close();
  }
});

test("writeAbort() sends IAC IP IAC DM before ABOR", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const line = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      p.peer.on("data", (c: Buffer) => {
        chunks.push(c);
        if (c.includes(0x0a)) resolve(Buffer.concat(chunks));
      });
    });
    channel.writeAbort();
    assert.deepEqual([...(await line)], [0xff, 0xf4, 0xff, 0xf2, 0x41, 0x42, 0x4f, 0x52, 0x0d, 0x0a]);
    channel.close();
  } finally {
    p.close();
  }
});

test("replaceSocket() moves listeners to the new socket", async () => {
  const p1 = await pair();
  const p2 = await pair();
  try {
    const channel = new ReplyChannel(p1.client, { timeoutMs: 2000 });
    channel.replaceSocket(p2.client);
    const pending = channel.nextReply();
    p1.peer.write("500 old\r\n");
    p2.peer.write("200 new\r\n");
    assert.equal((await pending).message, "new");
    channel.close();
  } finally {
    p1.close();
    p2.close();
  }
});

test("upgrade(): replies received but unread before it, and a partial line, are dropped; the new socket's replies are read", async () => {
  const p1 = await pair();
  const p2 = await pair();
  try {
    const channel = new ReplyChannel(p1.client, { timeoutMs: 2000 });
    const got = channel.nextReply();
    const injected = new Promise<void>((resolve) => channel.on("reply", (r) => r.code === 331 && resolve()));
    p1.peer.write("234 go ahead\r\n331 injected\r\n230 inj");
    assert.equal((await got).code, 234);
    await injected; // the injected reply is in, unread
    let handed: unknown;
    await channel.upgrade(async (socket) => {
      handed = socket;
      return p2.client;
    });
    assert.equal(handed, p1.client, "wrap gets the old socket");
    assert.equal(channel.currentSocket, p2.client);
    const next = channel.nextReply();
    p1.peer.write("ected\r\n500 old socket\r\n");
    p2.peer.write("331 password please\r\n");
    assert.equal((await next).message, "password please");
    channel.close();
  } finally {
    p1.close();
    p2.close();
  }
});

test("upgrade(): a failing wrap closes the channel with that error; not allowed while a reply is awaited", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const pending = channel.nextReply();
    await assert.rejects(channel.upgrade(async (s) => s), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_PROTOCOL");
    p.peer.write("234 ok\r\n");
    await pending;
    const closed = once(channel, "close");
    const failure = new FtpError("ERR_FTP_TLS", "handshake failed");
    await assert.rejects(channel.upgrade(async () => {
      throw failure;
    }), (e: unknown) => e === failure);
    assert.equal(channel.isClosed, true);
    assert.deepEqual(await closed, [failure]);
    await assert.rejects(channel.nextReply(), (e: unknown) => e === failure);
  } finally {
    p.close();
  }
});

test("a request keeps its place past 1xx replies: a reply waited for later goes to the later waiter", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const transfer = channel.request("RETR", "f");
    const next = channel.nextReply();
    const opened = once(channel, "reply");
    p.peer.write("150 opening\r\n");
    await opened; // the 150 on its own, then the rest
    p.peer.write("226 done\r\n200 next\r\n");
    assert.equal((await transfer).code, 226);
    assert.equal((await next).code, 200);
    channel.close();
  } finally {
    p.close();
  }
});

test("finalReply() reads buffered replies first, skipping a buffered 1xx", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    let seen = 0;
    const buffered = new Promise<void>((resolve) => channel.on("reply", () => ++seen === 2 && resolve()));
    p.peer.write("150 opening\r\n226 done\r\n");
    await buffered; // both parsed while nobody waited
    const prelim: number[] = [];
    assert.equal((await channel.finalReply((r) => prelim.push(r.code))).code, 226);
    assert.deepEqual(prelim, [150]);
    channel.close();
  } finally {
    p.close();
  }
});

test("an onPreliminary that throws rejects its request; the channel and the next waiter go on", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const boom = new Error("boom");
    const failing = channel.request("RETR", "f", () => {
      throw boom;
    });
    p.peer.write("150 opening\r\n");
    await assert.rejects(failing, (e: unknown) => e === boom);
    const next = channel.nextReply();
    p.peer.write("226 done\r\n");
    assert.equal((await next).code, 226);
    assert.equal(channel.isClosed, false);
    channel.close();
  } finally {
    p.close();
  }
});

test("request() on a closed channel rejects (never throws)", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    channel.close();
    const pending = channel.request("NOOP");
    await assert.rejects(pending, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
  } finally {
    p.close();
  }
});

test("the timeout re-arms for every wait: idle time between replies never counts, silence during a wait still does (injected clock)", async () => {
  const p = await pair();
  const clock = new ManualClock();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 80, timers: clock });
    const first = channel.nextReply();
    p.peer.write("200 one\r\n");
    assert.equal((await first).code, 200);
    // Idle well past the timeout: nobody waits, nothing closes.
    clock.advance(200);
    assert.equal(channel.isClosed, false);
    // A wait answered within the timeout, right after the idle period.
    const second = channel.nextReply();
    clock.advance(79);
    assert.equal(channel.isClosed, false);
    p.peer.write("200 two\r\n");
    assert.equal((await second).code, 200);
    // A suspended wait longer than the timeout, then resumed and answered.
    channel.suspendTimeout();
    const third = channel.nextReply();
    clock.advance(200);
    assert.equal(channel.isClosed, false);
    channel.resumeTimeout();
    p.peer.write("226 three\r\n");
    assert.equal((await third).code, 226);
    // Silence during a wait still closes the channel, at the timeout and not before.
    const fourth = channel.nextReply();
    clock.advance(79);
    assert.equal(channel.isClosed, false);
    clock.advance(1);
    await assert.rejects(fourth, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TIMEOUT" && /No reply from the server within 80 ms/.test(e.message));
    assert.equal(channel.isClosed, true);
  } finally {
    p.close();
  }
});

test("the reply deadline restarts for each reply: replies that each complete in time never trip it (injected clock)", async () => {
  const p = await pair();
  const clock = new ManualClock();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 0, replyTimeoutMs: 100, timers: clock });
    const a = channel.nextReply();
    const b = channel.nextReply();
    clock.advance(90);
    p.peer.write("200 a\r\n");
    assert.equal((await a).code, 200);
    // 90 + 90 is past 100 since the first wait, but the second reply has its own 100.
    clock.advance(90);
    assert.equal(channel.isClosed, false);
    p.peer.write("200 b\r\n");
    assert.equal((await b).code, 200);
    // Nobody waits: time passes freely.
    clock.advance(1000);
    assert.equal(channel.isClosed, false);
    channel.close();
  } finally {
    p.close();
  }
});

test("the command event and debug text are only built for a listener; the bytes are the same either way", async () => {
  const p = await pair();
  try {
    const channel = new ReplyChannel(p.client, { timeoutMs: 2000 });
    const first = readLine(p.peer);
    channel.write("CWD", "/a b");
    assert.equal(await first, "CWD /a b\r\n");
    const commands: string[] = [];
    channel.on("command", (c) => commands.push(c));
    const second = readLine(p.peer);
    channel.write("cwd", "/c");
    assert.equal(await second, "CWD /c\r\n");
    assert.deepEqual(commands, ["CWD /c"]);
    channel.close();
  } finally {
    p.close();
  }
});

test("the reply deadline ends a reply that keeps arriving but never completes; bytes do not extend it (mock clock)", async (t) => {
  const p = await pair();
  try {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const channel = new ReplyChannel(p.client, { timeoutMs: 0, replyTimeoutMs: 100 });
    const pending = channel.nextReply();
    const bodyIn = new Promise<void>((resolve) => p.client.on("data", (c: Buffer) => c.includes("more") && resolve()));
    p.peer.write("220-first\r\n more\r\n");
    await bodyIn;
    t.mock.timers.tick(99);
    assert.equal(channel.isClosed, false);
    t.mock.timers.tick(1);
    await assert.rejects(pending, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TIMEOUT" && /did not complete within 100 ms/.test(e.message));
    assert.equal(channel.isClosed, true);
  } finally {
    p.close();
  }
});
