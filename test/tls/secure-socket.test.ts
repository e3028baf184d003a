import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Socket, type Server } from "node:net";
import { once } from "node:events";
import { createSecureContext, type SecureContext, type TLSSocket } from "node:tls";
import { acceptTls, connectTls, TlsSessionStore } from "../../src/tls/secure-socket.js";
import { FtpError } from "../../src/errors.js";
import { makeTestCertificate, type TestCertificate } from "../support/certs.js";

let cert: TestCertificate;
before(async () => {
  cert = await makeTestCertificate();
});

async function pair(): Promise<{ server: Server; client: Socket; accepted: Socket }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const acceptedP = once(server, "connection") as Promise<[Socket]>;
  const client = connect({ host: "127.0.0.1", port: (server.address() as { port: number }).port });
  await once(client, "connect");
  const [accepted] = await acceptedP;
  return { server, client, accepted };
}

async function secureBoth(ctx: SecureContext, version: "TLSv1.2" | "TLSv1.3", session?: Buffer) {
  const { server, client, accepted } = await pair();
  const [s, c] = await Promise.all([
    acceptTls(accepted, { secureContext: ctx, timeoutMs: 5000 }),
    connectTls(client, { ca: cert.certPem, servername: "localhost", minVersion: version, maxVersion: version, session, timeoutMs: 5000 }),
  ]);
  server.close();
  return { s, c };
}

for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
  test(`${version}: a data connection resumes the control connection's session`, async () => {
    const ctx = createSecureContext({ key: cert.keyPem, cert: cert.certPem });
    const control = await secureBoth(ctx, version);
    const store = new TlsSessionStore(control.c as TLSSocket);
    // TLS 1.3 tickets arrive after the handshake: exchange a line so they are read.
    control.s.write("220 ready\r\n");
    await once(control.c, "data");
    if (version === "TLSv1.3") {
      // The store listens for "session" first, so it has the ticket when ours fires.
      if (store.tickets === 0) await once(control.c, "session");
      assert.ok(store.tickets > 0, "the server issued a TLS 1.3 ticket");
    }
    assert.ok(store.latest, "a session to resume");
    assert.equal(control.c.getProtocol(), version);

    const data = await secureBoth(ctx, version, store.latest);
    assert.equal(data.s.isSessionReused(), true, "server sees a resumed session");
    const fresh = await secureBoth(ctx, version);
    assert.equal(fresh.s.isSessionReused(), false, "without the session it is a full handshake");
    for (const sock of [control.s, control.c, data.s, data.c, fresh.s, fresh.c]) sock.destroy();
  });
}

test("an untrusted certificate fails with ERR_FTP_TLS naming the reason", async () => {
  const ctx = createSecureContext({ key: cert.keyPem, cert: cert.certPem });
  const { server, client, accepted } = await pair();
  const serverSide = acceptTls(accepted, { secureContext: ctx, timeoutMs: 5000 }).catch((e: unknown) => e);
  await assert.rejects(
    connectTls(client, { servername: "localhost", timeoutMs: 5000 }),
    (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TLS" && /SELF_SIGNED|self.signed/i.test(e.message),
  );
  assert.ok((await serverSide) instanceof FtpError);
  server.close();
});

test("a peer that never speaks TLS times out with ERR_FTP_TIMEOUT", async () => {
  const ctx = createSecureContext({ key: cert.keyPem, cert: cert.certPem });
  const { server, client, accepted } = await pair();
  await assert.rejects(
    acceptTls(accepted, { secureContext: ctx, timeoutMs: 100 }),
    (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TIMEOUT",
  );
  client.destroy();
  server.close();
});

test("sessionServer: TLS 1.2 resumption by session ID (no tickets) works only within the same session cache", async () => {
  const { createTlsSessionCache } = await import("../../src/server/tls-session-cache.js");
  const { constants } = await import("node:crypto");
  const ctx = createSecureContext({ key: cert.keyPem, cert: cert.certPem });
  const cacheA = createTlsSessionCache();
  const cacheB = createTlsSessionCache();
  const handshake = async (cache: typeof cacheA, session?: Buffer) => {
    const { server, client, accepted } = await pair();
    const [s, c] = await Promise.all([
      acceptTls(accepted, { secureContext: ctx, timeoutMs: 5000, sessionServer: cache }),
      connectTls(client, {
        ca: cert.certPem,
        servername: "localhost",
        maxVersion: "TLSv1.2",
        secureOptions: constants.SSL_OP_NO_TICKET,
        session,
        timeoutMs: 5000,
      }),
    ]);
    server.close();
    return { s, c };
  };
  const first = await handshake(cacheA);
  const session = first.c.getSession();
  assert.ok(session);
  const same = await handshake(cacheA, session);
  assert.equal(same.s.isSessionReused(), true);
  const other = await handshake(cacheB, session);
  assert.equal(other.s.isSessionReused(), false, "another cache does not know the session ID");
  for (const x of [first, same, other]) {
    x.s.destroy();
    x.c.destroy();
  }
});
