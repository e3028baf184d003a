// Behaviours 40-41: connection limits, over-long lines and garbage (39, the idle timeout: idle-timeout.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { startServer, TestClient } from "./helpers/ftp-test-client.js";

function connectFrom(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, localAddress });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

async function firstLine(socket: Socket): Promise<string> {
  const [chunk] = (await once(socket, "data")) as [Buffer];
  return chunk.toString("latin1");
}

/** Reads replies until one with `code` arrives (bounded). */
async function until(c: TestClient, code: number, max = 50): Promise<number> {
  for (let i = 0; i < max; i++) {
    const r = await c.reply();
    if (r.code === code) return i;
    assert.ok(r.code >= 500 && r.code < 600, `only 5xx before the ${code}, got ${r.code}`);
  }
  throw new Error(`no ${code} within ${max} replies`);
}

describe("server limits and robustness", () => {
  it("40: over the global connection limit → 421 and close", async () => {
    const t = await startServer({ limits: { maxConnections: 2 } });
    try {
      await t.connect();
      await t.connect();
      const third = connect({ host: "127.0.0.1", port: t.port });
      assert.match(await firstLine(third), /^421 /);
      await once(third, "close");
    } finally {
      await t.close();
    }
  });

  it("40: over the per-address limit → 421 and close; another address still gets in", async () => {
    const t = await startServer({ limits: { maxConnectionsPerAddress: 1 } });
    try {
      const first = await t.connect();
      const second = await connectFrom(t.port, "127.0.0.1");
      assert.match(await firstLine(second), /^421 /);
      await once(second, "close");
      const other = await connectFrom(t.port, "127.0.0.2");
      assert.match(await firstLine(other), /^220 /);
      other.destroy();
      // Leaving frees the slot.
      const gone = once(t.server, "disconnect");
      first.close();
      await gone; // the server counted the slot free

      const again = await connectFrom(t.port, "127.0.0.1");
      assert.match(await firstLine(again), /^220 /);
      again.destroy();
    } finally {
      await t.close();
    }
  });

  it("41: a 10 KiB command line → 500, and the session continues", async () => {
    const t = await startServer();
    try {
      const c = await t.login();
      const r = await c.cmd(`STOR ${"x".repeat(10 * 1024)}`);
      assert.equal(r.code, 500);
      assert.equal((await c.cmd("NOOP")).code, 200);
      assert.equal((await c.cmd("PWD")).code, 257);
    } finally {
      await t.close();
    }
  });

  it("41: binary garbage and HTTP requests never crash the server", async () => {
    const t = await startServer();
    try {
      const c = await t.connect();
      c.send("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n\r\n".replace(/\r\n$/, ""));
      c.send("NOOP");
      await until(c, 200);
      for (let round = 0; round < 5; round++) {
        c.send(randomBytes(4096));
        c.send(Buffer.from([0, 0xff, 0xfb, 0x01, 0xff, 0xff, 0x80, 0x0d, 0x0a]));
        c.send("\r\nNOOP");
        await until(c, 200, 200);
      }
      await c.login();
      assert.equal((await c.cmd("PWD")).code, 257);
      // The server still accepts new sessions.
      const d = await t.connect();
      assert.equal((await d.cmd("NOOP")).code, 200);
    } finally {
      await t.close();
    }
  });
});
