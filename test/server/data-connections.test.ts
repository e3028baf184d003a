// Behaviours 33-38: passive port range and addresses, foreign peers, bounce protection, EPSV, failures.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer as createNetServer, type Socket } from "node:net";
import { once } from "node:events";
import { startServer, readAll, TestClient } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { parseEpsvReply, parsePasvReply } from "../../src/protocol/host-port.js";
import { createServer } from "../../src/server/ftp-server.js";

const files = () => new MemoryFileSystem({ "/f.txt": "payload" });

async function freePort(): Promise<number> {
  const s = createNetServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

function connectFrom(host: string, port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, localAddress });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

describe("server data connections", () => {
  it("33: PASV ports come from the configured range; 227 carries the control address, never 0.0.0.0 or ::ffff:", async () => {
    // Below the ephemeral range (32768+), so other sockets do not take these ports.
    const low = 20000 + Math.floor(Math.random() * 12000);
    const server = createServer({
      authenticate: () => ({ fileSystem: files() }),
      passive: { portRange: [low, low + 4] },
      limits: { failedLoginDelayMs: 0 },
      timeouts: { data: 2000 },
    });
    // Listening on every address: the control socket's local address is then "::ffff:127.0.0.1" or "127.0.0.1".
    const address = await server.listen({ host: "::", port: 0 }).catch(() => server.listen({ host: "0.0.0.0", port: 0 }));
    try {
      const c = await TestClient.connect(address.port);
      await c.login("u", "p");
      for (let i = 0; i < 6; i++) {
        const r = await c.cmd("PASV");
        assert.equal(r.code, 227);
        assert.match(r.message, /\(127,0,0,1,\d+,\d+\)/);
        const hp = parsePasvReply(r.message);
        assert.ok(hp.port >= low && hp.port <= low + 4, `port ${hp.port} in range`);
      }
      c.close();
    } finally {
      await server.close({ graceMs: 0 });
    }
  });

  it("33: 227 carries passive.publicAddress (string or function of the session)", async () => {
    const t = await startServer({ passive: { publicAddress: "203.0.113.5" } });
    const u = await startServer({ passive: { publicAddress: (s) => (s.remoteAddress === "127.0.0.1" ? "198.51.100.7" : "0.0.0.0") } });
    try {
      const c = await t.login();
      assert.match((await c.cmd("PASV")).message, /\(203,0,113,5,\d+,\d+\)/);
      const d = await u.login();
      assert.match((await d.cmd("PASV")).message, /\(198,51,100,7,\d+,\d+\)/);
    } finally {
      await t.close();
      await u.close();
    }
  });

  it("34: a data connection from a foreign address is refused; the legitimate client still connects", async () => {
    const t = await startServer({}, files());
    try {
      const c = await t.login();
      const r = await c.cmd("PASV");
      const hp = parsePasvReply(r.message);
      const intruder = await connectFrom("127.0.0.1", hp.port, "127.0.0.2");
      await once(intruder, "close");
      const data = connect({ host: "127.0.0.1", port: hp.port });
      await once(data, "connect");
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await readAll(data)).toString(), "payload");
      assert.equal((await c.reply()).code, 226);
    } finally {
      await t.close();
    }
  });

  it("34: when only a foreign peer connects, the transfer gets 425", async () => {
    const t = await startServer({ timeouts: { data: 300 } }, files());
    try {
      const c = await t.login();
      const hp = parsePasvReply((await c.cmd("PASV")).message);
      const intruder = await connectFrom("127.0.0.1", hp.port, "127.0.0.2");
      await once(intruder, "close");
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await c.reply()).code, 425);
      assert.equal((await c.cmd("NOOP")).code, 200);
    } finally {
      await t.close();
    }
  });

  it("35: PORT/EPRT to a third-party address or a port below 1024 → 501, unless FXP is allowed", async () => {
    const t = await startServer();
    const fxp = await startServer({ allowFxp: true });
    try {
      const c = await t.login();
      assert.equal((await c.cmd("PORT 10,0,0,1,19,136")).code, 501);
      assert.equal((await c.cmd("PORT 127,0,0,2,19,136")).code, 501);
      assert.equal((await c.cmd("PORT 127,0,0,1,0,80")).code, 501);
      assert.equal((await c.cmd("EPRT |1|192.0.2.1|5000|")).code, 501);
      assert.equal((await c.cmd("EPRT |1|127.0.0.1|21|")).code, 501);
      assert.equal((await c.cmd("EPRT |2|::1|5000|")).code, 501);
      assert.equal((await c.cmd("PORT 127,0,0,1,19,136")).code, 200);
      assert.equal((await c.cmd("PORT 1,2,3")).code, 501);
      assert.equal((await c.cmd("PORT 127,0,0,1,300,1")).code, 501);
      assert.equal((await c.cmd("EPRT garbage")).code, 501);
      const d = await fxp.login();
      assert.equal((await d.cmd("PORT 10,0,0,1,19,136")).code, 200);
      assert.equal((await d.cmd("EPRT |1|192.0.2.1|21|")).code, 200);
    } finally {
      await t.close();
      await fxp.close();
    }
  });

  it("36: EPSV → 229 (|||port|); unsupported protocol → 522; after EPSV ALL, PASV/PORT/EPRT are refused", async () => {
    const t = await startServer({}, files());
    try {
      const c = await t.login();
      assert.match((await c.cmd("EPSV")).message, /\(\|\|\|\d+\|\)/);
      assert.equal((await c.cmd("EPSV 1")).code, 229);
      assert.equal((await c.cmd("EPSV 2")).code, 522);
      assert.equal((await c.cmd("EPSV 7")).code, 522);
      assert.equal((await c.cmd("EPSV x")).code, 501);
      assert.equal((await c.cmd("EPRT |3|1.2.3.4|5000|")).code, 522);
      assert.equal((await c.cmd("EPSV ALL")).code, 200);
      assert.equal((await c.cmd("PASV")).code, 503);
      assert.equal((await c.cmd("PORT 127,0,0,1,19,136")).code, 503);
      assert.equal((await c.cmd("EPRT |1|127.0.0.1|5000|")).code, 503);
      const data = await c.epsv();
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await readAll(data)).toString(), "payload");
      assert.equal((await c.reply()).code, 226);
    } finally {
      await t.close();
    }
  });

  it("36: IPv6 works through EPSV and EPRT on ::1 (PASV refused there)", async (t) => {
    const probe = createNetServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once("error", () => resolve(false));
      probe.listen(0, "::1", () => resolve(true));
    });
    probe.close();
    if (!ok) return t.skip("no IPv6 loopback on this machine");
    const server = createServer({ authenticate: () => ({ fileSystem: files() }), limits: { failedLoginDelayMs: 0 } });
    const address = await server.listen({ host: "::1", port: 0 });
    try {
      const c = await TestClient.connect(address.port, "::1");
      await c.login("u", "p");
      assert.equal((await c.cmd("PASV")).code, 425);
      assert.equal((await c.cmd("EPSV 1")).code, 522);
      const data = await c.epsv("::1");
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await readAll(data)).toString(), "payload");
      assert.equal((await c.reply()).code, 226);
      const active = await c.active("EPRT", "::1");
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await readAll(await active.socket)).toString(), "payload");
      assert.equal((await c.reply()).code, 226);
      assert.equal((await c.cmd("EPRT |2|::2|5000|")).code, 501);
      c.close();
    } finally {
      await server.close({ graceMs: 0 });
    }
  });

  it("37: PORT to a port where nobody listens → 425 on the transfer, and the session survives", async () => {
    const t = await startServer({}, files());
    try {
      const c = await t.login();
      const port = await freePort();
      assert.equal((await c.cmd(`PORT 127,0,0,1,${port >> 8},${port & 255}`)).code, 200);
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await c.reply()).code, 425);
      assert.equal((await c.cmd("NOOP")).code, 200);
      const data = await c.pasv();
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await readAll(data)).toString(), "payload");
      assert.equal((await c.reply()).code, 226);
    } finally {
      await t.close();
    }
  });

  it("38: a PASV nobody connects to times out (listener closed), and the session survives", async () => {
    const t = await startServer({ timeouts: { data: 200 } }, files());
    try {
      const c = await t.login();
      assert.equal((await c.cmd("PASV")).code, 227);
      assert.equal((await c.cmd("RETR /f.txt")).code, 150);
      assert.equal((await c.reply()).code, 425);
      const hp = parsePasvReply((await c.cmd("PASV")).message);
      await new Promise((r) => setTimeout(r, 350));
      const late = connect({ host: "127.0.0.1", port: hp.port });
      const [error] = (await once(late, "error")) as [NodeJS.ErrnoException];
      assert.equal(error.code, "ECONNREFUSED");
      assert.equal((await c.cmd("NOOP")).code, 200);
    } finally {
      await t.close();
    }
  });

  it("a session keeps its passive port between transfers, refuses connections while no transfer waits, and gives it back at QUIT", async () => {
    const t = await startServer({ timeouts: { data: 2000 } }, files());
    try {
      const c = await t.login();
      const ports: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await c.cmd("EPSV");
        ports.push(parseEpsvReply(r.message));
        const data = connect({ host: "127.0.0.1", port: ports[i]! });
        await once(data, "connect");
        assert.equal((await c.cmd("RETR /f.txt")).code, 150);
        assert.equal((await readAll(data)).toString(), "payload");
        assert.equal((await c.reply()).code, 226);
        if (i === 0) {
          // Between transfers nobody is waiting on the port: a connection is closed at once.
          const stray = connect({ host: "127.0.0.1", port: ports[0]! });
          stray.on("error", () => {});
          stray.on("data", () => assert.fail("a stray connection received data"));
          await once(stray, "close");
        }
      }
      assert.deepEqual(new Set(ports).size, 1, `expected one port, got ${ports.join(", ")}`);
      const gone = once(t.server, "disconnect"); // the session's end gives the kept port back
      assert.equal((await c.cmd("QUIT")).code, 221);
      await gone;
      const late = connect({ host: "127.0.0.1", port: ports[0]! });
      const [error] = (await once(late, "error")) as [NodeJS.ErrnoException];
      assert.equal(error.code, "ECONNREFUSED");
    } finally {
      await t.close();
    }
  });
});
