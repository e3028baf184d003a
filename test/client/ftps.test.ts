// FTPS client behaviour that real servers won't show on demand, against a
// scripted fake server: what is sent in clear and what under TLS, the order
// of transfer command and data handshake, injected clear-text replies, and
// failures that must come back as ERR_FTP_TLS with the session still usable.
import { once } from "node:events";
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { createSecureContext, type SecureContext } from "node:tls";
import { Client } from "../../src/client/client.js";
import type { ClientOptions } from "../../src/client/options.js";
import { FtpError } from "../../src/errors.js";
import { makeTestCertificate, type TestCertificate } from "../support/certs.js";
import { acceptTlsSocket, startFakeServer, type FakeConnection } from "./fake-server.js";

let cert: TestCertificate;
let context: SecureContext;

before(async () => {
  cert = await makeTestCertificate();
  context = createSecureContext({ key: cert.keyPem, cert: cert.certPem });
});

const opts = (port: number, extra: Partial<ClientOptions> = {}): ClientOptions => ({
  host: "127.0.0.1",
  port,
  user: "u",
  password: "p",
  secure: true,
  tls: { ca: cert.certPem },
  timeouts: { connect: 3000, control: 3000, data: 3000 },
  ...extra,
});

function isCode(code: string, replyCode?: number) {
  return (e: unknown) => e instanceof FtpError && e.code === code && (replyCode === undefined || e.replyCode === replyCode);
}

/** Greeting, AUTH TLS (234 plus `after234`, sent in clear in the same write), handshake; returns the TLS connection. */
async function explicitHandshake(conn: FakeConnection, after234 = ""): Promise<FakeConnection> {
  conn.reply("220 fake ready");
  assert.equal(await conn.expect("AUTH"), "AUTH TLS");
  conn.send(`234 Proceed with negotiation\r\n${after234}`);
  return conn.startTls(context);
}

/** USER/PASS/PBSZ/PROT/FEAT/TYPE over TLS. */
async function secureLogin(tls: FakeConnection, prot = "P"): Promise<void> {
  assert.equal(await tls.expect("USER"), "USER u");
  tls.reply("331 password please");
  assert.equal(await tls.expect("PASS"), "PASS p");
  tls.reply("230 logged in");
  assert.equal(await tls.expect("PBSZ"), "PBSZ 0");
  tls.reply("200 PBSZ=0");
  assert.equal(await tls.expect("PROT"), `PROT ${prot}`);
  tls.reply(`200 Protection level set to ${prot}`);
  await tls.expect("FEAT");
  tls.reply("211-Features:", " EPSV", " AUTH TLS", " PBSZ", " PROT", "211 End");
  await tls.expect("TYPE I");
  tls.reply("200 binary");
}

async function quit(tls: FakeConnection): Promise<void> {
  const line = await tls.nextCommand(2000).catch(() => undefined);
  if (line === "QUIT") tls.reply("221 bye");
  tls.close();
}

test("explicit FTPS: AUTH TLS first, login under TLS, PBSZ 0 + PROT P, and the data handshake starts only after the server answered LIST", async () => {
  let order: string[] = [];
  const server = await startFakeServer(async (conn) => {
    const tls = await explicitHandshake(conn);
    await secureLogin(tls);
    await tls.expect("EPSV");
    const data = await conn.passive();
    tls.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`);
    const raw = await data.socket;
    order.push("data connected");
    assert.equal(await tls.expect("LIST"), "LIST");
    order.push("LIST received");
    // Hold the 150 back for two turns of the event loop (client and server
    // share it): a ClientHello written before LIST, or with it, is in by then.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    order.push(`data bytes before the 150: ${raw.bytesRead + raw.readableLength}`);
    tls.reply("150 Here comes the listing");
    const secured = await acceptTlsSocket(raw, context);
    order.push("handshake done");
    secured.end("-rw-r--r-- 1 u g 5 Jan 01 2024 five.txt\r\n");
    await new Promise((r) => secured.once("close", r));
    tls.reply("226 done");
    await quit(tls);
  });
  try {
    const client = await Client.connect(opts(server.port));
    const commands: string[] = [];
    client.on("command", (line) => commands.push(line));
    const info = client.tlsInfo();
    assert.equal(info?.mode, "explicit");
    assert.equal(info?.dataProtection, "private");
    assert.match(info?.protocol ?? "", /^TLSv1\.[23]$/);
    const entries = await client.list();
    assert.deepEqual(entries.map((e) => [e.name, e.size]), [["five.txt", 5]]);
    assert.deepEqual(order, ["data connected", "LIST received", "data bytes before the 150: 0", "handshake done"]);
    assert.equal(client.tlsInfo()?.dataConnections, 1);
    assert.deepEqual(commands, ["EPSV", "LIST"]);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    order = [];
    await server.close();
  }
});

test("replies injected in clear text right after the 234 are discarded, never read as answers", async () => {
  const server = await startFakeServer(async (conn) => {
    // A man in the middle could append these before the handshake starts.
    const tls = await explicitHandshake(conn, "331 injected\r\n230 injected\r\n");
    await secureLogin(tls);
    await quit(tls);
  });
  try {
    const client = new Client(opts(server.port));
    const log: string[] = [];
    client.on("command", (line) => log.push(`> ${line}`));
    client.on("reply", (r) => log.push(`< ${r.code} ${r.message}`));
    await client.connect();
    const answer = (command: string) => log[log.indexOf(`> ${command}`) + 1];
    assert.equal(answer("USER u"), "< 331 password please");
    assert.equal(answer("PASS ***"), "< 230 logged in");
    assert.equal(answer("PBSZ 0"), "< 200 PBSZ=0");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a refused AUTH TLS rejects with ERR_FTP_TLS and the password is never sent", async () => {
  const received: string[] = [];
  const server = await startFakeServer(async (conn) => {
    conn.reply("220 fake ready");
    await conn.expect("AUTH TLS");
    conn.reply("502 AUTH not implemented");
    const next = await conn.nextCommand(500).catch(() => undefined);
    if (next !== undefined) received.push(next);
  });
  try {
    await assert.rejects(Client.connect(opts(server.port)), (e: unknown) => isCode("ERR_FTP_TLS", 502)(e) && /AUTH TLS/.test((e as Error).message));
    // Everything the client sent is in once its connection is closed on our side.
    const socket = server.connections[0]!.socket;
    if (!socket.closed) await once(socket, "close");
    assert.deepEqual([...received, ...server.connections[0]!.received].filter((l) => /^(USER|PASS)/.test(l)), []);
  } finally {
    await server.close();
  }
});

test("a refused PROT P rejects connect() with ERR_FTP_TLS carrying the reply", async () => {
  const server = await startFakeServer(async (conn) => {
    const tls = await explicitHandshake(conn);
    await tls.expect("USER");
    tls.reply("331 pass");
    await tls.expect("PASS");
    tls.reply("230 ok");
    await tls.expect("PBSZ 0");
    tls.reply("200 ok");
    await tls.expect("PROT P");
    tls.reply("536 PROT P not available");
    await quit(tls);
  });
  try {
    await assert.rejects(Client.connect(opts(server.port)), isCode("ERR_FTP_TLS", 536));
  } finally {
    await server.close();
  }
});

test("dataProtection 'clear' sends PROT C and keeps data connections in clear text", async () => {
  const server = await startFakeServer(async (conn) => {
    const tls = await explicitHandshake(conn);
    await secureLogin(tls, "C");
    await tls.expect("EPSV");
    const data = await conn.passive();
    tls.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`);
    const raw = await data.socket;
    assert.equal(await tls.expect("RETR"), "RETR /a.txt");
    tls.reply("150 sending");
    raw.end("plain bytes");
    await new Promise((r) => raw.once("close", r));
    tls.reply("226 done");
    await quit(tls);
  });
  try {
    const client = await Client.connect(opts(server.port, { dataProtection: "clear" }));
    const chunks: Buffer[] = [];
    const { PassThrough } = await import("node:stream");
    const sink = new PassThrough();
    sink.on("data", (c: Buffer) => chunks.push(c));
    await client.download("/a.txt", sink);
    assert.equal(Buffer.concat(chunks).toString(), "plain bytes");
    assert.equal(client.tlsInfo()?.dataProtection, "clear");
    assert.equal(client.tlsInfo()?.dataConnections, 0);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a failed data handshake rejects the transfer with ERR_FTP_TLS; ABOR + NOOP bring the session back and it stays usable", async () => {
  const server = await startFakeServer(async (conn) => {
    const tls = await explicitHandshake(conn);
    await secureLogin(tls);
    await tls.expect("EPSV");
    const data = await conn.passive();
    tls.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`);
    const raw = await data.socket;
    assert.equal(await tls.expect("RETR"), "RETR /broken.bin");
    tls.reply("150 sending");
    // Not a ServerHello: the client's handshake must fail.
    raw.end("this is not TLS at all\r\n");
    // Telnet IP + Synch travel in-band before ABOR.
    assert.equal(await tls.expect("\xff\xf4\xff\xf2ABOR"), "\xff\xf4\xff\xf2ABOR");
    tls.reply("426 connection closed; transfer aborted", "226 abort ok");
    await tls.expect("NOOP");
    tls.reply("200 ok");
    await tls.expect("PWD");
    tls.reply('257 "/" is the current directory');
    await quit(tls);
  });
  try {
    const client = await Client.connect(opts(server.port));
    const { PassThrough } = await import("node:stream");
    await assert.rejects(
      client.download("/broken.bin", new PassThrough()),
      (e: unknown) => isCode("ERR_FTP_TLS")(e) && /data connection/.test((e as Error).message),
    );
    assert.equal(await client.pwd(), "/");
    assert.equal(client.connected, true);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a server refusing the TLS data session (522 and a closed data connection, vsftpd's 'session reuse required') rejects with ERR_FTP_TLS 522; the session stays usable", async () => {
  const server = await startFakeServer(async (conn) => {
    const tls = await explicitHandshake(conn);
    await secureLogin(tls);
    await tls.expect("EPSV");
    const data = await conn.passive();
    tls.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`);
    const raw = await data.socket;
    await tls.expect("STOR");
    tls.reply("150 Ok to send data.");
    const secured = await acceptTlsSocket(raw, context);
    secured.on("error", () => {});
    secured.destroy();
    tls.reply("522 SSL connection failed: session reuse required");
    await tls.expect("PWD");
    tls.reply('257 "/"');
    await quit(tls);
  });
  try {
    const client = await Client.connect(opts(server.port));
    await assert.rejects(
      client.upload(Buffer.alloc(4 * 1024 * 1024), "/up.bin"),
      (e: unknown) => isCode("ERR_FTP_TLS", 522)(e) && /session reuse required/.test((e as Error).message),
    );
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("send() refuses AUTH, PROT and CCC: the client must know the TLS state", async () => {
  const client = new Client({ host: "127.0.0.1" });
  for (const line of ["AUTH TLS", "prot C", "CCC"]) {
    await assert.rejects(client.send(line), isCode("ERR_FTP_INVALID_ARGUMENT"), line);
  }
});
