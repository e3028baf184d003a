import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { encodeCommand, parseReply, RespConnection, RespError } from "../../src/fleet/resp-connection.js";

describe("RESP codec", () => {
  it("encodes commands as arrays of bulk strings, byte lengths for UTF-8", () => {
    assert.equal(encodeCommand(["SET", "k", "é", 5]).toString(), "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n$1\r\n5\r\n");
  });
  it("parses every reply type, and asks for more on every prefix", () => {
    const wire = Buffer.from("*5\r\n+OK\r\n:-42\r\n$4\r\nhé!\r\n$-1\r\n*1\r\n:1\r\n");
    for (let cut = 0; cut < wire.length; cut++) assert.equal(parseReply(wire.subarray(0, cut), 0), undefined, `cut at ${cut}`);
    assert.deepEqual(parseReply(wire, 0), { value: ["OK", -42, "hé!", null, [1]], end: wire.length });
    const error = parseReply(Buffer.from("-ERR wrong type\r\n"), 0);
    assert.ok(error?.value instanceof RespError && error.value.message === "ERR wrong type");
  });
  it("refuses what is not RESP", () => {
    for (const bad of ["?x\r\n", ":12a\r\n", "$-5\r\n", "*99999999\r\n"]) assert.throws(() => parseReply(Buffer.from(bad), 0), RespError, bad);
  });
});

describe("RespConnection against a scripted server", () => {
  async function scripted(onCommand: (socket: Socket, text: string) => void) {
    const server = createServer((socket) => socket.on("data", (chunk) => onCommand(socket, chunk.toString())));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return { server, port: (server.address() as { port: number }).port };
  }
  it("answers pipelined commands in order, across split replies", async () => {
    const { server, port } = await scripted((socket, text) => {
      const n = text.split("*1\r\n").length - 1;
      const replies = Buffer.from(Array.from({ length: n }, (_, i) => `:${i}\r\n`).join(""));
      // One byte at a time: the parser must wait for whole replies.
      for (const byte of replies) socket.write(Buffer.from([byte]));
    });
    const redis = new RespConnection({ port });
    try {
      assert.deepEqual(await Promise.all([redis.command("PING"), redis.command("PING"), redis.command("PING")]), [0, 1, 2]);
    } finally {
      await redis.close();
      server.close();
    }
  });
  it("a silent server: every command in flight rejects after the timeout, and the next connects again", async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.on("data", () => connections === 2 && socket.write("+PONG\r\n"));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const redis = new RespConnection({ port: (server.address() as { port: number }).port, timeoutMs: 50 });
    try {
      const results = await Promise.allSettled([redis.command("PING"), redis.command("PING")]);
      assert.deepEqual(
        results.map((r) => r.status === "rejected" && /within 50 ms/.test((r.reason as Error).message)),
        [true, true],
      );
      assert.equal(await redis.command("PING"), "PONG");
      assert.equal(connections, 2);
    } finally {
      await redis.close();
      server.close();
    }
  });
  it("nothing listening: a RespError, not a crash", async () => {
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const redis = new RespConnection({ port });
    await assert.rejects(redis.command("PING"), (e: Error) => e instanceof RespError && /ECONNREFUSED/.test(e.message));
    await redis.close();
  });
});
