import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer, type Socket } from "node:net";
import { once } from "node:events";
import { DataListener } from "../../src/data/data-listener.js";
import { connectData } from "../../src/data/data-connect.js";
import { ByteCounter } from "../../src/data/byte-counter.js";
import { FtpError } from "../../src/errors.js";

function dial(port: number, localAddress = "127.0.0.1"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, localAddress });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

test("accepts the expected peer and hands over the bytes it sent first", async () => {
  const listener = await DataListener.open({ host: "127.0.0.1", acceptFrom: "127.0.0.1", timeoutMs: 2000 });
  const client = await dial(listener.port);
  client.end("hello");
  // The connection is accepted in the next poll phases, before accept() is called.
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  const socket = await listener.accept();
  const chunks: Buffer[] = [];
  for await (const c of socket) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), "hello");
  listener.close();
});

test("refuses a foreign address, then still accepts the legitimate peer", async () => {
  const listener = await DataListener.open({ host: "0.0.0.0", acceptFrom: "::ffff:127.0.0.1", timeoutMs: 2000 });
  const rejected = once(listener, "rejected");
  const intruder = await dial(listener.port, "127.0.0.2");
  const [address] = await rejected;
  assert.equal(address, "127.0.0.2");
  await once(intruder, "close");
  const accepted = listener.accept();
  const client = await dial(listener.port);
  const socket = await accepted;
  assert.equal(socket.remoteAddress, "127.0.0.1");
  client.destroy();
  socket.destroy();
  listener.close();
});

test("a peer that never connects times out with a typed error and frees the port", async () => {
  const listener = await DataListener.open({ host: "127.0.0.1", timeoutMs: 50 });
  await assert.rejects(listener.accept(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TIMEOUT");
  await assert.rejects(dial(listener.port), /ECONNREFUSED/);
});

test("aborting accept() rejects with ERR_FTP_ABORTED", async () => {
  const listener = await DataListener.open({ host: "127.0.0.1", timeoutMs: 5000 });
  const ac = new AbortController();
  const pending = listener.accept(ac.signal);
  ac.abort();
  await assert.rejects(pending, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_ABORTED");
});

test("picks ports inside the range and moves on when one is taken", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const taken = (blocker.address() as { port: number }).port;
  const listener = await DataListener.open({ host: "127.0.0.1", portRange: [taken, taken + 1], timeoutMs: 1000 });
  assert.equal(listener.port, taken + 1);
  listener.close();
  blocker.close();
});

test("a range with every port taken fails with ERR_FTP_DATA_CONNECTION", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const taken = (blocker.address() as { port: number }).port;
  await assert.rejects(
    DataListener.open({ host: "127.0.0.1", portRange: [taken, taken], timeoutMs: 1000 }),
    (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_DATA_CONNECTION",
  );
  blocker.close();
});

test("connectData reaches a listener and reports refusal as a typed error", async () => {
  const server = createServer((s) => {
    s.on("error", () => {});
    s.end("x");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const socket = await connectData({ host: "127.0.0.1", port, timeoutMs: 1000 });
  socket.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await assert.rejects(
    connectData({ host: "127.0.0.1", port, timeoutMs: 1000 }),
    (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_DATA_CONNECTION" && /ECONNREFUSED/.test(e.message),
  );
});

test("ByteCounter counts without changing the chunks", async () => {
  const seen: number[] = [];
  const counter = new ByteCounter((total) => seen.push(total));
  const a = Buffer.from("abc");
  const out: Buffer[] = [];
  counter.on("data", (b: Buffer) => out.push(b));
  counter.write(a);
  counter.end(Buffer.from("de"));
  await once(counter, "end");
  assert.equal(out[0], a);
  assert.deepEqual(seen, [3, 5]);
  assert.equal(counter.bytes, 5);
});

test("a reusable listener keeps its port: refuses connections between arms, accepts one per rearm()", async () => {
  const listener = await DataListener.open({ host: "127.0.0.1", acceptFrom: "127.0.0.1", timeoutMs: 2000, reusable: true });
  try {
    const first = connect({ host: "127.0.0.1", port: listener.port });
    const accepted = await listener.accept();
    accepted.destroy();
    first.destroy();
    // Not armed: a connection is taken by the kernel but closed at once, with nothing delivered.
    const stray = connect({ host: "127.0.0.1", port: listener.port });
    stray.on("error", () => {});
    await once(stray, "close");
    assert.equal(listener.listening, true);
    listener.rearm();
    const second = connect({ host: "127.0.0.1", port: listener.port });
    const again = await listener.accept();
    assert.equal(again.remotePort, second.localPort);
    again.destroy();
    second.destroy();
    // disarm() ends a wait without giving the port back.
    listener.rearm();
    const waiting = listener.accept();
    listener.disarm();
    await assert.rejects(waiting, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_DATA_CONNECTION");
    assert.equal(listener.listening, true);
  } finally {
    listener.close();
  }
  assert.equal(listener.listening, false);
  assert.throws(() => listener.rearm(), (e: unknown) => e instanceof FtpError);
});

test("a reusable listener whose peer never comes gives its port back", async () => {
  const listener = await DataListener.open({ host: "127.0.0.1", timeoutMs: 50, reusable: true });
  await assert.rejects(listener.accept(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TIMEOUT");
  assert.equal(listener.listening, false);
});
