// FTPS modes across servers: each row is "<server> × <mode>" and does a
// login, a listing, an upload and a download compared byte for byte (a few
// MiB), a resumed download and a resumed upload. The full client suite runs
// over FTPS in client-ftps-<server>.test.ts; this file covers the modes
// (TLS 1.2 / 1.3, PROT P / PROT C, implicit) and certificate failures.
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Client } from "../../src/client/client.js";
import type { ClientOptions } from "../../src/client/options.js";
import { FtpError } from "../../src/errors.js";
import { makeTestCertificate, type TestCertificate } from "../support/certs.js";
import { startPeer, type PeerName, type RunningPeer } from "../support/peers/index.js";
import { requirePeer } from "../support/require-peer.js";
import { startOwnServer } from "./client-own-target.js";
import type { ServerUnderTest } from "./client-suite.js";

const MiB = 1024 * 1024;
const payload = randomBytes(3 * MiB + 11);
const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

let otherCa: string;
let otherDir: string;
before(async () => {
  // A second, unrelated self-signed certificate: trusting it must not make the server's trusted.
  otherDir = await mkdtemp(join(tmpdir(), "ftpwire-other-ca-"));
  otherCa = (await makeTestCertificate(otherDir)).certPem;
});
after(async () => {
  await rm(otherDir, { recursive: true, force: true });
});

interface Row {
  readonly label: string;
  readonly options: Partial<ClientOptions>;
  readonly expectProtocol?: string;
}

const explicitRows: readonly Row[] = [
  { label: "explicit, PROT P, TLSv1.2", options: { secure: "explicit", tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } }, expectProtocol: "TLSv1.2" },
  { label: "explicit, PROT P, TLSv1.3", options: { secure: "explicit", tls: { minVersion: "TLSv1.3" } }, expectProtocol: "TLSv1.3" },
  { label: "explicit, PROT C", options: { secure: "explicit", dataProtection: "clear" } },
];

/** One row: everything a user does first, over the given FTPS mode. */
async function exercise(base: ClientOptions, ca: string | Buffer, row: Row, resumes: boolean): Promise<void> {
  const options: ClientOptions = { ...base, ...row.options, tls: { ca, ...row.options.tls } };
  await using client = await Client.connect(options);
  const info = client.tlsInfo();
  assert.ok(info, "secured");
  if (row.expectProtocol) assert.equal(info.protocol, row.expectProtocol);
  const name = `/matrix-${row.label.replace(/[^a-z0-9]+/gi, "-")}.bin`;
  await client.upload(payload, name);
  assert.ok((await client.list("/")).some((e) => `/${e.name}` === name), "listed");
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  await client.download(name, sink);
  assert.equal(sha(Buffer.concat(chunks)), sha(payload), "download byte-exact");
  // Resume both ways.
  const tail: Buffer[] = [];
  const tailSink = new PassThrough();
  tailSink.on("data", (c: Buffer) => tail.push(c));
  await client.download(name, tailSink, { start: MiB });
  assert.equal(sha(Buffer.concat(tail)), sha(payload.subarray(MiB)), "resumed download");
  const partial = `${name}.part`;
  await client.upload(payload.subarray(0, 1000), partial);
  const up = await client.upload(payload, partial, { resume: true });
  assert.equal(up.bytes, payload.length - 1000);
  assert.equal(await client.size(partial), payload.length);
  const after = client.tlsInfo()!;
  if (row.options.dataProtection === "clear") {
    assert.equal(after.dataProtection, "clear");
    assert.equal(after.dataConnections, 0, "no TLS on data under PROT C");
  } else {
    assert.equal(after.dataProtection, "private");
    assert.ok(after.dataConnections >= 5, `${after.dataConnections} TLS data connections`);
    if (resumes) assert.equal(after.resumedDataConnections, after.dataConnections, "every data connection resumed the control session");
  }
}

async function expectTlsRejection(options: ClientOptions, pattern: RegExp): Promise<void> {
  await assert.rejects(Client.connect(options), (e: unknown) => {
    assert.ok(e instanceof FtpError, String(e));
    assert.equal(e.code, "ERR_FTP_TLS", e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

describe("FTPS matrix: ftpwire", () => {
  let cert: TestCertificate;
  let explicit: (ServerUnderTest & { authenticated(): number }) | undefined;
  let implicit: ServerUnderTest | undefined;
  before(async () => {
    cert = await makeTestCertificate();
    const tls = { key: cert.keyPem, cert: cert.certPem };
    // PROT C must stay possible here, so TLS is required on the control connection only.
    explicit = await startOwnServer({ tls, requireTls: "control", requireTlsSessionReuse: true });
    implicit = await startOwnServer({ tls, secure: "implicit", requireTlsSessionReuse: true });
  });
  after(async () => {
    await explicit?.stop();
    await implicit?.stop();
  });

  for (const row of explicitRows) {
    test(`ftpwire × ${row.label} (session reuse required)`, () => exercise(explicit!.options, cert.certPem, row, true));
  }
  for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
    test(`ftpwire × implicit, PROT P, ${version}`, async () => {
      const { host, port, user, password } = implicit!.options;
      const url = `ftps://${user}:${password}@${host}:${port}/`;
      await using client = await Client.connect(url, { tls: { ca: cert.certPem, minVersion: version, maxVersion: version } });
      assert.equal(client.tlsInfo()?.mode, "implicit");
      await exercise({ ...implicit!.options, secure: "implicit" }, cert.certPem, {
        label: `implicit ${version}`, options: { secure: "implicit", tls: { minVersion: version, maxVersion: version } }, expectProtocol: version,
      }, true);
    });
  }
  test("ftpwire × implicit, PROT C", () =>
    exercise(implicit!.options, cert.certPem, { label: "implicit PROT C", options: { secure: "implicit", dataProtection: "clear" } }, true));

  test("ftpwire: certificate failures are ERR_FTP_TLS saying why, and no password leaves the client", async () => {
    const base = { ...explicit!.options, secure: true as const };
    const before = explicit!.authenticated();
    await expectTlsRejection({ ...base }, /self-signed/);
    await expectTlsRejection({ ...base, tls: { ca: otherCa } }, /self-signed|not trusted/);
    await expectTlsRejection({ ...base, tls: { ca: cert.certPem, servername: "files.example.com" } }, /does not match the host name/);
    await expectTlsRejection({ ...implicit!.options, secure: "implicit", tls: { ca: otherCa } }, /not trusted/);
    assert.equal(explicit!.authenticated(), before, "authenticate() never called");
    // The same name the certificate does carry works, with SNI.
    await using ok = await Client.connect({ ...base, host: "localhost", tls: { ca: cert.certPem } });
    assert.equal(await ok.pwd(), "/");
    // Opting out of verification is possible, and explicit.
    await using unchecked = await Client.connect({ ...base, tls: { rejectUnauthorized: false } });
    // Still TLS on both channels: the listing went over a PROT P data connection.
    assert.ok(Array.isArray(await unchecked.list("/")));
    const info = unchecked.tlsInfo();
    assert.equal(info?.dataProtection, "private");
    assert.equal(info?.dataConnections, 1);
  });

  test("ftpwire: TLS options that cannot meet fail typed (client TLSv1.3 only vs server TLSv1.2 only)", async () => {
    const cert12 = cert;
    const old = await startOwnServer({ tls: { key: cert12.keyPem, cert: cert12.certPem, maxVersion: "TLSv1.2" } });
    try {
      await assert.rejects(
        Client.connect({ ...old.options, secure: true, tls: { ca: cert12.certPem, minVersion: "TLSv1.3" } }),
        (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TLS" && /protocol|version/i.test(e.message),
      );
    } finally {
      await old.stop();
    }
  });

  test("ftpwire: AUTH TLS refused by a server without TLS is ERR_FTP_TLS (no fallback to clear text)", async () => {
    const plain = await startOwnServer();
    try {
      await assert.rejects(
        Client.connect({ ...plain.options, secure: true }),
        (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TLS" && e.replyCode === 502,
      );
    } finally {
      await plain.stop();
    }
  });
});

/** Real servers: TLS offered but not required (so PROT C can be tried); session reuse stays required where the peer has it. */
const PEERS: ReadonlyArray<{ name: PeerName; resumes: boolean }> = [
  { name: "vsftpd", resumes: true },
  { name: "proftpd", resumes: true },
  { name: "pure-ftpd", resumes: false },
  { name: "pyftpdlib", resumes: true },
];

for (const { name, resumes } of PEERS) {
  describe(`FTPS matrix: ${name}`, () => {
    let peer: RunningPeer | undefined;
    let ca: Buffer;
    const base = (): ClientOptions => ({
      host: peer!.host, port: peer!.port, user: peer!.user, password: peer!.password,
      timeouts: { control: 10_000, data: 10_000 },
    });
    async function ready(t: TestContext): Promise<boolean> {
      if (!(await requirePeer(t, name, { tls: true }))) return false;
      if (!peer) {
        peer = await startPeer(name, { tls: { required: false } });
        ca = await readFile(peer.certFile!);
      }
      return true;
    }
    after(async () => {
      await peer?.stop();
    });

    for (const row of explicitRows) {
      test(`${name} × ${row.label}`, async (t) => {
        if (!(await ready(t))) return;
        await exercise(base(), ca, row, resumes);
      });
    }
    test(`${name} × wrong CA → ERR_FTP_TLS`, async (t) => {
      if (!(await ready(t))) return;
      await expectTlsRejection({ ...base(), secure: true, tls: { ca: otherCa } }, /self-signed|not trusted/);
    });
  });
}
