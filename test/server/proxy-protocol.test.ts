// The server behind a TCP load balancer (issue 15): a trusted peer's PROXY
// header names the client everywhere (authenticate, events, limits, bans, the
// passive peer check); an untrusted peer's header is refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { parsePasvReply } from "../../src/protocol/host-port.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import type { FtpServerOptions } from "../../src/server/options.js";
import { readAll, startServer, TestClient } from "./helpers/ftp-test-client.js";

const v1 = (client: string, port = 40000) => `PROXY TCP4 ${client} 127.0.0.1 ${port} 21\r\n`;

/** A control connection that opens with `header`, then reads the greeting. */
async function through(port: number, header: string): Promise<TestClient> {
  const c = await TestClient.connect(port, "127.0.0.1", false);
  c.send(Buffer.from(header, "latin1"));
  const greeting = await c.reply();
  assert.equal(greeting.code, 220);
  return c;
}

async function proxied(options: Partial<FtpServerOptions> = {}) {
  const seen: string[] = [];
  const fs = new MemoryFileSystem({ "/f.txt": "hello through the balancer" });
  const t = await startServer({
    proxyProtocol: { trusted: ["127.0.0.1"], timeoutMs: 2000 },
    authenticate: ({ username, password, remoteAddress }) => {
      seen.push(remoteAddress);
      return username === "alice" && password === "secret" ? { fileSystem: fs } : null;
    },
    ...options,
  });
  return { t, seen };
}

/** PASV, then a data connection from the balancer (127.0.0.1) opening with `header`. */
async function pasvThroughBalancer(c: TestClient, header: string | undefined): Promise<Socket> {
  const r = await c.cmd("PASV");
  assert.equal(r.code, 227, r.message);
  const { host, port } = parsePasvReply(r.message);
  const data = connect({ host, port });
  data.on("error", () => {});
  await once(data, "connect");
  if (header !== undefined) data.write(header);
  return data;
}

describe("PROXY protocol on the control port", () => {
  it("a trusted balancer's v1 header names the client to authenticate, events and connections", async () => {
    const { t, seen } = await proxied();
    const logins: string[] = [];
    t.server.on("login", ({ session }) => logins.push(session.remoteAddress));
    try {
      const c = await through(t.port, v1("192.0.2.7"));
      await c.login();
      assert.deepEqual(seen, ["192.0.2.7"]);
      assert.deepEqual(logins, ["192.0.2.7"]);
      assert.deepEqual(
        t.server.connections.map((s) => [s.remoteAddress, s.remotePort]),
        [["192.0.2.7", 40000]],
      );
      c.close();
    } finally {
      await t.close();
    }
  });

  it("an untrusted peer sending a header gets 421, and the commands behind it never run", async () => {
    const { t, seen } = await proxied({ proxyProtocol: { trusted: ["10.0.0.0/8"] } });
    try {
      const c = await TestClient.connect(t.port);
      c.send(Buffer.from(`${v1("192.0.2.7")}USER alice\r\nPASS secret\r\nMKD /x\r\n`));
      const r = await c.reply();
      assert.equal(r.code, 421);
      await c.closed;
      assert.deepEqual(seen, [], "authenticate was never called");
      // Commands that only start like a header are FTP as usual.
      const ok = await TestClient.connect(t.port);
      ok.send("PROT P");
      assert.equal((await ok.reply()).code, 503);
      ok.close();
    } finally {
      await t.close();
    }
  });

  it("a trusted peer that sends no header, or a bad one, is closed without a greeting", async () => {
    const { t } = await proxied({ proxyProtocol: { trusted: ["127.0.0.1"], timeoutMs: 30 } });
    try {
      const silent = await TestClient.connect(t.port, "127.0.0.1", false);
      await silent.closed;
      await assert.rejects(silent.reply(100));
      const bad = await TestClient.connect(t.port, "127.0.0.1", false);
      bad.send("USER alice");
      await bad.closed;
      await assert.rejects(bad.reply(100));
    } finally {
      await t.close();
    }
  });

  it("LOCAL (the balancer's health check) is a session from the balancer itself", async () => {
    const { t } = await proxied();
    try {
      const local = Buffer.concat([Buffer.from("0d0a0d0a000d0a515549540a", "hex"), Buffer.from([0x20, 0x00, 0, 0])]);
      const c = await through(t.port, local.toString("latin1"));
      assert.deepEqual(t.server.connections.map((s) => s.remoteAddress), ["127.0.0.1"]);
      c.close();
    } finally {
      await t.close();
    }
  });

  it("connection limits and bans apply to the named client, not to the balancer", async () => {
    const { t } = await proxied({ limits: { maxConnectionsPerAddress: 1, maxFailedLoginsPerAddress: 2, failedLoginDelayMs: 0 } });
    try {
      const a = await through(t.port, v1("192.0.2.7"));
      const second = await TestClient.connect(t.port, "127.0.0.1", false);
      second.send(v1("192.0.2.7"));
      assert.equal((await second.reply()).code, 421, "a second connection from the same client");
      const b = await through(t.port, v1("192.0.2.8"));
      for (let i = 0; i < 2; i++) {
        await b.cmd("USER alice");
        assert.equal((await b.cmd("PASS wrong")).code, 530);
      }
      // 192.0.2.8 is banned now; 192.0.2.7, through the same balancer, is not.
      await a.cmd("USER alice");
      assert.equal((await a.cmd("PASS secret")).code, 230);
      b.close();
      await b.closed;
      await once(t.server, "disconnect");
      const again = await through(t.port, v1("192.0.2.8"));
      await again.cmd("USER alice");
      assert.equal((await again.cmd("PASS secret")).code, 421);
    } finally {
      await t.close();
    }
  });
});

describe("passive data connections through the balancer", () => {
  it('passive "header": the data connection\'s own header must name the session\'s client', async () => {
    const { t } = await proxied({ timeouts: { data: 300 } });
    try {
      const c = await through(t.port, v1("192.0.2.7"));
      await c.login();
      const data = await pasvThroughBalancer(c, v1("192.0.2.7", 40001));
      c.send("RETR /f.txt");
      assert.equal((await c.reply()).code, 150);
      assert.equal((await readAll(data)).toString(), "hello through the balancer");
      assert.equal((await c.reply()).code, 226);

      // Another client's header, or none: refused, and the transfer fails (never 226).
      const thief = await pasvThroughBalancer(c, v1("192.0.2.99", 40002));
      await once(thief, "close");
      const bare = await pasvThroughBalancer(c, undefined);
      bare.end("no header at all\r\n");
      await once(bare, "close");
      c.send("RETR /f.txt");
      assert.equal((await c.reply()).code, 150);
      const r = await c.reply(5000);
      assert.equal(r.code, 425, `${r.code} ${r.message}`);
      c.close();
    } finally {
      await t.close();
    }
  });

  it('passive "balancer": an explicit opt-out accepts the balancer without a header', async () => {
    const { t } = await proxied({ proxyProtocol: { trusted: ["127.0.0.1"], passive: "balancer" } });
    try {
      const c = await through(t.port, v1("192.0.2.7"));
      await c.login();
      const data = await pasvThroughBalancer(c, undefined);
      c.send("RETR /f.txt");
      assert.equal((await c.reply()).code, 150);
      assert.equal((await readAll(data)).toString(), "hello through the balancer");
      assert.equal((await c.reply()).code, 226);
      c.close();
    } finally {
      await t.close();
    }
  });

  it("without proxyProtocol, a data connection from another address than the client's is refused as before", async () => {
    const t = await startServer({ timeouts: { data: 300 } });
    try {
      const c = await t.login();
      const r = await c.cmd("PASV");
      const { port } = parsePasvReply(r.message);
      // From 127.0.0.2 (bound explicitly; the control connection is from 127.0.0.1).
      const foreign = connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
      foreign.on("error", () => {});
      await once(foreign, "close");
      c.send("LIST");
      assert.equal((await c.reply()).code, 150);
      assert.equal((await c.reply()).code, 425);
    } finally {
      await t.close();
    }
  });
});
