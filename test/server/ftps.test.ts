// FTPS on the server (RFC 4217), part 1: behaviours 42 and 44, TLS 1.2 and
// 1.3, session-reuse enforcement, and both handshake orders on data
// connections (policies, implicit FTPS and injection: ftps-policy.test.ts).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { constants } from "node:crypto";
import { once } from "node:events";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import type { ServerTransferEvent } from "../../src/server/types.js";
import { makeTestCertificate, type TestCertificate } from "../support/certs.js";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";
import { FtpsTestClient, readAll, writeAll } from "./helpers/ftps-test-client.js";

let cert: TestCertificate;
before(async () => {
  cert = await makeTestCertificate();
});

const tlsOf = () => ({ key: cert.keyPem, cert: cert.certPem });
const PAYLOAD = randomBytes(300_000);

function memory(): MemoryFileSystem {
  return new MemoryFileSystem({ "/hello.txt": "hello over tls", "/big.bin": PAYLOAD, "/victim.txt": "keep me" });
}

describe("42: AUTH, PBSZ, PROT", () => {
  let t: TestServer;
  const logins: boolean[] = [];
  before(async () => {
    t = await startServer({ tls: tlsOf() }, memory());
    t.server.on("login", ({ session }) => logins.push(session.secure));
  });
  after(() => t.close());

  it("AUTH TLS → 234; a second AUTH → 503; PBSZ/PROT before AUTH → 503; PBSZ 0 → 200; PROT P/C → 200, S/E → 536", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      assert.equal((await c.cmd("PBSZ 0")).code, 503);
      assert.equal((await c.cmd("PROT P")).code, 503);
      assert.equal((await c.cmd("AUTH KERBEROS_V4")).code, 504);
      assert.equal((await c.cmd("NOOP")).code, 200, "a refused AUTH leaves the session usable");
      await c.auth();
      assert.match(c.control?.getProtocol() ?? "", /^TLSv1\.[23]$/);
      assert.equal((await c.cmd("AUTH TLS")).code, 503);
      assert.equal((await c.cmd("AUTH SSL")).code, 503);
      assert.equal((await c.cmd("PROT P")).code, 503, "PROT before PBSZ");
      assert.equal((await c.cmd("PBSZ x")).code, 501);
      const pbsz = await c.cmd("PBSZ 16384");
      assert.equal(pbsz.code, 200);
      assert.match(pbsz.message, /PBSZ=0/);
      assert.equal((await c.cmd("PBSZ 0")).code, 200);
      assert.equal((await c.cmd("PROT P")).code, 200);
      assert.equal((await c.cmd("PROT C")).code, 200);
      assert.equal((await c.cmd("PROT S")).code, 536);
      assert.equal((await c.cmd("PROT E")).code, 536);
      assert.equal((await c.cmd("PROT Q")).code, 504);
      assert.equal((await c.cmd("CCC")).code, 502);
      const stat = await c.cmd("STAT");
      assert.equal(stat.code, 211);
      assert.match(stat.message, /Control connection: TLSv1\.[23]; data: PROT C/);
      await c.expect("USER alice", 331);
      await c.expect("PASS secret", 230);
      assert.equal((await c.cmd("PWD")).code, 257);
    } finally {
      c.close();
    }
  });

  it("AUTH SSL is accepted (and starts with PROT P); FEAT lists AUTH TLS, PBSZ, PROT", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      const feat = await c.cmd("FEAT");
      assert.equal(feat.code, 211);
      for (const line of [" AUTH TLS", " PBSZ", " PROT"]) assert.ok(feat.lines.includes(line), `FEAT has${line}: ${feat.lines.join("|")}`);
      await c.auth("SSL");
      assert.match((await c.cmd("STAT")).message, /data: PROT P/);
    } finally {
      c.close();
    }
  });

  it("REIN on a TLS session → 502 and the session goes on; REIN in the clear still works", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      assert.equal((await c.cmd("REIN")).code, 220);
      await c.secureLogin();
      assert.equal((await c.cmd("REIN")).code, 502);
      assert.equal((await c.cmd("PWD")).code, 257, "still logged in, still TLS");
    } finally {
      c.close();
    }
  });

  it("a login made in the clear is forgotten by AUTH TLS", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      logins.length = 0;
      await c.expect("USER alice", 331);
      await c.expect("PASS secret", 230);
      await c.auth();
      assert.equal((await c.cmd("PWD")).code, 530);
      await c.expect("USER alice", 331);
      await c.expect("PASS secret", 230);
      assert.deepEqual(logins, [false, true], "session.secure tells hooks and listeners whether the login was protected");
    } finally {
      c.close();
    }
  });

  it("without a certificate: AUTH → 502, PBSZ/PROT → 503 and FEAT does not announce them", async () => {
    const plain = await startServer({}, memory());
    try {
      const c = await plain.connect();
      assert.equal((await c.cmd("AUTH TLS")).code, 502);
      assert.equal((await c.cmd("NOOP")).code, 200);
      assert.equal((await c.cmd("PBSZ 0")).code, 503);
      assert.equal((await c.cmd("PROT P")).code, 503);
      const feat = await c.cmd("FEAT");
      assert.ok(!feat.lines.some((l) => /AUTH|PBSZ|PROT/.test(l)), feat.lines.join("|"));
    } finally {
      await plain.close();
    }
  });
});

describe("44: data connections under PROT P are TLS, under PROT C clear", () => {
  let t: TestServer;
  let fs: MemoryFileSystem;
  const uploads: ServerTransferEvent[] = [];
  before(async () => {
    fs = memory();
    t = await startServer({ tls: tlsOf() }, fs);
    t.server.on("upload", (e) => uploads.push(e));
  });
  after(() => t.close());

  it("PROT P: RETR, STOR and LIST over TLS data connections, byte-exact, bytes counted in clear", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      await c.secureLogin();
      await c.expect("TYPE I", 200);
      let raw = await c.passive();
      assert.equal((await c.cmd("RETR /big.bin")).code, 150);
      let data = await c.secureData(raw);
      assert.ok((await readAll(data)).equals(PAYLOAD));
      assert.equal((await c.reply()).code, 226);

      const up = randomBytes(200_001);
      raw = await c.passive("EPSV");
      assert.equal((await c.cmd("STOR /up.bin")).code, 150);
      data = await c.secureData(raw);
      await writeAll(data, up);
      assert.equal((await c.reply()).code, 226);
      assert.ok(fs.readFileSync("/up.bin").equals(up));
      assert.equal(uploads.at(-1)?.bytes, up.length, "the upload event counts payload bytes, not TLS records");

      raw = await c.passive();
      assert.equal((await c.cmd("NLST /")).code, 150);
      data = await c.secureData(raw);
      assert.deepEqual((await readAll(data)).toString().trim().split("\r\n").sort(), ["big.bin", "hello.txt", "up.bin", "victim.txt"]);
      assert.equal((await c.reply()).code, 226);
    } finally {
      c.close();
    }
  });

  it("PROT P: a client that starts its handshake right after the TCP connect (before RETR) works too", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      await c.secureLogin();
      const raw = await c.passive();
      const secured = c.secureData(raw);
      // Let the ClientHello reach the server before the command does.
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
      const data = await secured;
      assert.equal((await readAll(data)).toString(), "hello over tls");
      assert.equal((await c.reply()).code, 226);
    } finally {
      c.close();
    }
  });

  it("PROT P with an active (PORT) data connection: the server connects, the client is still the TLS client", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      await c.secureLogin();
      const incoming = await c.active();
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
      const data = await c.secureData(await incoming.socket);
      assert.equal((await readAll(data)).toString(), "hello over tls");
      assert.equal((await c.reply()).code, 226);
    } finally {
      c.close();
    }
  });

  it("PROT P: a client that speaks plain TCP on the data connection gets 425 and no file bytes", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      await c.secureLogin();
      const raw = await c.passive();
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
      const received: Buffer[] = [];
      raw.on("data", (d: Buffer) => received.push(d));
      raw.write("this is not a ClientHello\r\n");
      assert.equal((await c.reply()).code, 425);
      assert.ok(!Buffer.concat(received).toString("latin1").includes("hello over tls"));
      assert.equal((await c.cmd("NOOP")).code, 200);
    } finally {
      c.close();
    }
  });

  it("ABOR while the data connection's TLS handshake is pending → 426 then 226; the session goes on", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      await c.secureLogin();
      const raw = await c.passive();
      assert.equal((await c.cmd("RETR /big.bin")).code, 150);
      // The client never sends its ClientHello.
      c.send("ABOR");
      assert.equal((await c.reply()).code, 426);
      assert.equal((await c.reply()).code, 226);
      await once(raw, "close");
      assert.equal((await c.cmd("NOOP")).code, 200);
    } finally {
      c.close();
    }
  });

  it("PROT C after AUTH: the data connection is clear", async () => {
    const c = await FtpsTestClient.connect(t.port);
    try {
      await c.secureLogin();
      await c.expect("PROT C", 200);
      const raw = await c.passive();
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
      assert.equal((await readAll(raw)).toString(), "hello over tls");
      assert.equal((await c.reply()).code, 226);
    } finally {
      c.close();
    }
  });
});

for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
  describe(`${version} (client min/maxVersion)`, () => {
    let t: TestServer;
    before(async () => {
      t = await startServer({ tls: tlsOf(), requireTlsSessionReuse: true }, memory());
    });
    after(() => t.close());
    const pin = { minVersion: version, maxVersion: version };

    it("control and data connections use it; a data connection that resumes the control session passes the reuse check", async () => {
      const c = await FtpsTestClient.connect(t.port, { tls: pin });
      try {
        await c.secureLogin();
        assert.equal(c.control?.getProtocol(), version);
        for (let i = 0; i < 2; i++) {
          const raw = await c.passive();
          assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
          const data = await c.secureData(raw);
          assert.equal(data.getProtocol(), version);
          assert.equal(data.isSessionReused(), true, "the client resumed");
          assert.equal((await readAll(data)).toString(), "hello over tls");
          assert.equal((await c.reply()).code, 226);
        }
      } finally {
        c.close();
      }
    });

    it("with reuse required, a data connection that does not resume is refused with 522, and the session goes on", async () => {
      const c = await FtpsTestClient.connect(t.port, { tls: pin });
      try {
        await c.secureLogin();
        let raw = await c.passive();
        assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
        const fresh = await c.secureData(raw, { resume: false }).catch(() => undefined);
        const received = fresh ? await readAll(fresh).catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
        const r = await c.reply();
        assert.equal(r.code, 522, r.message);
        assert.match(r.message, /reuse/i);
        assert.equal(received.length, 0, "no file bytes on a refused connection");
        raw = await c.passive();
        assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
        assert.equal((await readAll(await c.secureData(raw))).toString(), "hello over tls");
        assert.equal((await c.reply()).code, 226);
      } finally {
        c.close();
      }
    });
  });
}

describe("TLS 1.2 session-ID resumption (clients without tickets, like curl)", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ tls: tlsOf(), requireTlsSessionReuse: true }, memory());
  });
  after(() => t.close());
  // SSL_OP_NO_TICKET on the client: it resumes by session ID, which needs the server's per-session cache.
  const idOnly = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", secureOptions: constants.SSL_OP_NO_TICKET } as const;

  it("a data connection resuming its own control session by ID passes the reuse check", async () => {
    const c = await FtpsTestClient.connect(t.port, { tls: idOnly });
    try {
      await c.secureLogin();
      assert.equal(c.control?.getSession()?.length !== undefined, true);
      const raw = await c.passive();
      assert.equal((await c.cmd("RETR /hello.txt")).code, 150);
      const data = await c.secureData(raw);
      assert.equal(data.isSessionReused(), true);
      assert.equal((await readAll(data)).toString(), "hello over tls");
      assert.equal((await c.reply()).code, 226);
    } finally {
      c.close();
    }
  });

  it("a session ID from another FTP session's control connection is not resumed there (522)", async () => {
    const a = await FtpsTestClient.connect(t.port, { tls: idOnly });
    const b = await FtpsTestClient.connect(t.port, { tls: idOnly });
    try {
      await a.secureLogin();
      await b.secureLogin();
      const raw = await b.passive();
      assert.equal((await b.cmd("RETR /hello.txt")).code, 150);
      // b's data connection offers a's session.
      const stolen = await b
        .secureData(raw, { resume: false, session: a.sessions?.latest })
        .catch(() => undefined);
      assert.notEqual(stolen?.isSessionReused(), true);
      assert.equal((await b.reply()).code, 522);
    } finally {
      a.close();
      b.close();
    }
  });
});
