// FTPS on the server (RFC 4217), part 2: behaviour 43 (the requireTls
// policies), option validation, implicit FTPS, isolation of a failed
// handshake, and STARTTLS injection.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { once } from "node:events";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { createServer } from "../../src/server/ftp-server.js";
import { FtpInvalidOptionError } from "../../src/errors.js";
import { makeTestCertificate, type TestCertificate } from "../support/certs.js";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";
import { FtpsTestClient, readAll } from "./helpers/ftps-test-client.js";

let cert: TestCertificate;
before(async () => {
  cert = await makeTestCertificate();
});

const tlsOf = () => ({ key: cert.keyPem, cert: cert.certPem });
const PAYLOAD = randomBytes(300_000);

function memory(): MemoryFileSystem {
  return new MemoryFileSystem({ "/hello.txt": "hello over tls", "/big.bin": PAYLOAD, "/victim.txt": "keep me" });
}

describe("43: requireTls policies", () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });
  async function server(requireTls: "control" | "data" | "all" | true): Promise<TestServer> {
    const s = await startServer({ tls: tlsOf(), requireTls }, memory());
    servers.push(s);
    return s;
  }

  it("control: USER and PASS before AUTH → 530 with a clear text; after AUTH login works, clear data allowed", async () => {
    const t = await server("control");
    const c = await FtpsTestClient.connect(t.port);
    try {
      const user = await c.cmd("USER alice");
      assert.equal(user.code, 530);
      assert.match(user.message, /AUTH TLS/);
      assert.equal((await c.cmd("PASS secret")).code, 530);
      await c.auth();
      await c.expect("USER alice", 331);
      await c.expect("PASS secret", 230);
      const raw = await c.passive();
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150, "PROT C is fine under requireTls control");
      assert.equal((await readAll(raw)).toString(), "hello over tls");
      assert.equal((await c.reply()).code, 226);
    } finally {
      c.close();
    }
  });

  it("data: login in the clear is fine, but transfers need PROT P (521); PROT C → 534", async () => {
    const t = await server("data");
    const c = await FtpsTestClient.connect(t.port);
    try {
      await c.expect("USER alice", 331);
      await c.expect("PASS secret", 230);
      await c.passive();
      const refused = await c.cmd("RETR /hello.txt");
      assert.equal(refused.code, 521);
      assert.match(refused.message, /PROT P/);
      assert.equal((await c.cmd("LIST")).code, 521);
      assert.equal((await c.cmd("STOR /x.bin")).code, 521);
      await c.auth();
      await c.expect("PBSZ 0", 200);
      assert.equal((await c.cmd("PROT C")).code, 534);
      await c.expect("PROT P", 200);
      await c.expect("USER alice", 331);
      await c.expect("PASS secret", 230);
      const raw = await c.passive();
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
      assert.equal((await readAll(await c.secureData(raw))).toString(), "hello over tls");
      assert.equal((await c.reply()).code, 226);
    } finally {
      c.close();
    }
  });

  for (const policy of ["all", true] as const) {
    it(`${String(policy)}: both — 530 before AUTH, 521 before PROT P`, async () => {
      const t = await server(policy);
      const c = await FtpsTestClient.connect(t.port);
      try {
        assert.equal((await c.cmd("USER alice")).code, 530);
        await c.auth();
        await c.expect("USER alice", 331);
        await c.expect("PASS secret", 230);
        await c.passive();
        assert.equal((await c.cmd("NLST")).code, 521);
        await c.expect("PBSZ 0", 200);
        await c.expect("PROT P", 200);
        const raw = await c.passive();
        assert.equal((await c.cmd("NLST")).code, 150);
        assert.match((await readAll(await c.secureData(raw))).toString(), /hello\.txt/);
        assert.equal((await c.reply()).code, 226);
      } finally {
        c.close();
      }
    });
  }

  it("options: FTPS settings without tls, a bad policy or a bad certificate throw FtpInvalidOptionError", () => {
    const authenticate = () => null;
    assert.throws(() => createServer({ authenticate, requireTls: "all" }), FtpInvalidOptionError);
    assert.throws(() => createServer({ authenticate, secure: "implicit" }), FtpInvalidOptionError);
    assert.throws(() => createServer({ authenticate, requireTlsSessionReuse: true }), FtpInvalidOptionError);
    assert.throws(() => createServer({ authenticate, tls: tlsOf(), requireTls: "sometimes" as never }), FtpInvalidOptionError);
    assert.throws(() => createServer({ authenticate, tls: { cert: "not a pem", key: "nope" } }), FtpInvalidOptionError);
    assert.throws(() => createServer({ authenticate, tls: { key: cert.keyPem } }), FtpInvalidOptionError);
    assert.throws(() => createServer({ authenticate, tls: tlsOf(), secure: false }), FtpInvalidOptionError);
    assert.throws(() => createServer({ authenticate, tls: tlsOf(), secure: "yes" as never }), FtpInvalidOptionError);
    assert.equal(createServer({ authenticate }).options.secure, false);
    assert.equal(createServer({ authenticate, tls: tlsOf() }).options.secure, "explicit");
    assert.equal(createServer({ authenticate, tls: tlsOf(), secure: true }).options.secure, "explicit");
    assert.equal(createServer({ authenticate, tls: tlsOf(), secure: "implicit" }).options.secure, "implicit");
  });
});

describe("implicit FTPS", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ tls: tlsOf(), secure: "implicit", timeouts: { tlsHandshake: 500 } }, memory());
  });
  after(() => t.close());

  it("TLS from the first byte, then 220; PROT P is assumed; AUTH → 503", async () => {
    const c = await FtpsTestClient.connect(t.port, { implicit: true });
    try {
      assert.ok(c.control);
      assert.equal((await c.cmd("AUTH TLS")).code, 503);
      await c.expect("USER alice", 331);
      await c.expect("PASS secret", 230);
      assert.match((await c.cmd("STAT")).message, /\(implicit\); data: PROT P/);
      const raw = await c.passive();
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
      assert.equal((await readAll(await c.secureData(raw))).toString(), "hello over tls");
      assert.equal((await c.reply()).code, 226);
      await c.expect("PBSZ 0", 200);
      await c.expect("PROT C", 200);
    } finally {
      c.close();
    }
  });

  it("a plain-text client gets no greeting and is dropped after the handshake timeout; TLS clients are unaffected", async () => {
    const plain = connect({ port: t.port, host: "127.0.0.1" });
    plain.on("error", () => {});
    const got: Buffer[] = [];
    plain.on("data", (d: Buffer) => got.push(d));
    await once(plain, "connect");
    const ok = await FtpsTestClient.connect(t.port, { implicit: true });
    await once(plain, "close");
    assert.ok(!Buffer.concat(got).toString("latin1").includes("220"), "no greeting in the clear");
    assert.equal((await ok.cmd("NOOP")).code, 200);
    ok.close();
  });
});

/** A bare socket: the server's TLS alert bytes would upset a reply parser. */
async function rawClient(port: number) {
  const socket = connect({ port, host: "127.0.0.1" });
  socket.on("error", () => {});
  let text = "";
  socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
  await once(socket, "connect");
  const until = async (pattern: RegExp) => {
    for (let i = 0; i < 250 && !pattern.test(text); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(text, pattern);
  };
  await until(/^220 /m);
  return { socket, until };
}

describe("isolation and injection", () => {
  let t: TestServer;
  let fs: MemoryFileSystem;
  const errors: Error[] = [];
  before(async () => {
    fs = memory();
    t = await startServer({ tls: tlsOf() }, fs);
    t.server.on("error", (e) => errors.push(e));
  });
  after(() => t.close());

  it("a client that sends garbage after AUTH TLS loses only its own session; a parallel transfer completes", async () => {
    const good = await FtpsTestClient.connect(t.port);
    const bad = await rawClient(t.port);
    try {
      await good.secureLogin();
      await good.expect("TYPE I", 200);
      const raw = await good.passive();
      assert.equal((await good.cmd("RETR /big.bin")).code, 150);
      const data = await good.secureData(raw);
      data.pause();
      bad.socket.write("AUTH TLS\r\n");
      await bad.until(/^234 /m);
      bad.socket.write(Buffer.from("\x16\x03\x01\x00\x05garbage that is not a ClientHello\r\n", "latin1"));
      await once(bad.socket, "close");
      data.resume();
      assert.ok((await readAll(data)).equals(PAYLOAD));
      assert.equal((await good.reply()).code, 226);
      assert.equal((await good.cmd("NOOP")).code, 200);
      assert.deepEqual(errors, [], "a failed handshake is not a server error");
      // The server still takes new TLS sessions.
      const again = await FtpsTestClient.connect(t.port);
      await again.secureLogin();
      again.close();
    } finally {
      good.close();
      bad.socket.destroy();
    }
  });

  it("a client that never starts the handshake after 234 is dropped after timeouts.tlsHandshake", async () => {
    const s = await startServer({ tls: tlsOf(), timeouts: { tlsHandshake: 300 } }, memory());
    try {
      const c = await s.connect();
      assert.equal((await c.cmd("AUTH TLS")).code, 234);
      const started = Date.now();
      await c.closed;
      assert.ok(Date.now() - started < 3000);
    } finally {
      await s.close();
    }
  });

  it("STARTTLS injection: commands sent in the clear right behind AUTH TLS are discarded, never run under TLS", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      // One segment: AUTH, then injected commands, then half a command.
      c.send(Buffer.from("AUTH TLS\r\nUSER alice\r\nDELE /victim.txt\r\nNOO"));
      assert.equal((await c.reply()).code, 234);
      await c.startTls();
      // If "NOO" had survived, this would complete NOOP; if USER had, PASS would log in.
      assert.equal((await c.cmd("P")).code, 500);
      assert.equal((await c.cmd("PASS secret")).code, 503, "the injected USER was not kept");
      assert.equal(await c.cmd("NOOP").then((r) => r.code), 200);
      assert.equal(fs.readFileSync("/victim.txt").toString(), "keep me");
    } finally {
      c.close();
    }
  });

  it("lines behind a refused AUTH are not lost (they run in order)", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      c.send(Buffer.from("AUTH GSSAPI\r\nNOOP\r\nSYST\r\n"));
      assert.equal((await c.reply()).code, 504);
      assert.equal((await c.reply()).code, 200);
      assert.equal((await c.reply()).code, 215);
    } finally {
      c.close();
    }
  });
});
