// client.hash() against a scripted server: HASH with OPTS HASH only when
// the selected algorithm differs, the X-command fallbacks, typed errors for
// refusals, missing support and malformed replies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../src/client/client.js";
import { FtpError, FtpUnsupportedError } from "../../src/errors.js";
import { startFakeServer, type FakeConnection } from "./fake-server.js";

const opts = (port: number) => ({ host: "127.0.0.1", port, user: "u", password: "p", timeouts: { connect: 2000, control: 2000, data: 2000 } });
const SHA256 = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";
const MD5 = "6f5902ac237024bdd0c176cb93063dc4";

async function withServer(features: string[], script: (conn: FakeConnection) => Promise<void>, body: (client: Client) => Promise<void>): Promise<void> {
  const server = await startFakeServer(async (conn) => {
    await conn.login(features);
    await script(conn);
    await conn.expect("QUIT");
    conn.reply("221 bye");
  });
  try {
    const client = await Client.connect(opts(server.port));
    await body(client);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
}

test("HASH: OPTS HASH only when another algorithm is selected, then parsed algorithm, range and digest", async () => {
  await withServer(["HASH SHA-1*;SHA-256;MD5;CRC32"], async (conn) => {
    assert.equal(await conn.expect("OPTS"), "OPTS HASH SHA-256");
    conn.reply("200 SHA-256");
    assert.equal(await conn.expect("HASH"), "HASH /a.txt");
    conn.reply("213-Computing SHA-256 digest", `213 SHA-256 0-12 ${SHA256.toUpperCase()} /a.txt`);
    // Still SHA-256 selected: no second OPTS.
    assert.equal(await conn.expect("HASH"), "HASH /b.txt");
    conn.reply(`213 SHA-256 0-3 ${SHA256} /b.txt`);
    assert.equal(await conn.expect("OPTS"), "OPTS HASH MD5");
    conn.reply("200 MD5");
    await conn.expect("HASH");
    conn.reply(`213 MD5 0-12 ${MD5} a.txt`);
  }, async (client) => {
    assert.deepEqual(await client.hash("/a.txt"), { algorithm: "sha-256", hash: SHA256, range: { start: 0, end: 12 }, command: "HASH" });
    assert.equal((await client.hash("/b.txt", { algorithm: "sha-256" })).hash, SHA256);
    assert.equal((await client.hash("/a.txt", { algorithm: "md5" })).hash, MD5);
  });
});

test("HASH with the wanted algorithm already selected sends no OPTS", async () => {
  await withServer(["HASH SHA-256*;MD5"], async (conn) => {
    assert.equal(await conn.expect("HASH"), "HASH x");
    conn.reply(`213 SHA-256 0-12 ${SHA256} x`);
  }, async (client) => {
    assert.equal((await client.hash("x")).hash, SHA256);
  });
});

test("fallbacks: XSHA256 / XMD5 / XCRC when FEAT has no HASH line (listed or not)", async () => {
  await withServer(["XMD5"], async (conn) => {
    assert.equal(await conn.expect("XSHA256"), "XSHA256 a.txt");
    conn.reply(`250 ${SHA256}`);
    assert.equal(await conn.expect("XMD5"), "XMD5 a.txt");
    conn.reply(`213 ${MD5.toUpperCase()} a.txt`);
    assert.equal(await conn.expect("XCRC"), "XCRC a.txt");
    conn.reply("250 AF083B2D");
  }, async (client) => {
    assert.deepEqual(await client.hash("a.txt"), { algorithm: "sha-256", hash: SHA256, command: "XSHA256" });
    assert.equal((await client.hash("a.txt", { algorithm: "md5" })).hash, MD5);
    assert.equal((await client.hash("a.txt", { algorithm: "crc32" })).hash, "af083b2d");
  });
});

test("no way to hash: ERR_FTP_UNSUPPORTED naming what is missing; the session stays usable", async () => {
  await withServer(["HASH MD5*", "SIZE"], async (conn) => {
    // Not offered by HASH, and the X command tried once (FEAT need not list it), refused as unknown.
    await conn.expect("NOOP");
    conn.reply("200 ok");
  }, async (client) => {
    const error = await client.hash("a.txt").then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof FtpUnsupportedError, String(error));
    assert.equal(error.code, "ERR_FTP_UNSUPPORTED");
    assert.equal(error.feature, "HASH SHA-256");
    assert.match(error.message, /offers MD5, not SHA-256, and no XSHA256/);
    await client.send("NOOP");
  });
  // send() takes verbs with digits too.
  await withServer([], async (conn) => {
    assert.equal(await conn.expect("XSHA256"), "XSHA256 a.txt");
    conn.reply(`250 ${SHA256}`);
  }, async (client) => {
    assert.equal((await client.send("XSHA256 a.txt")).code, 250);
  });
  await withServer([], async (conn) => {
    await conn.expect("XSHA1");
    conn.reply("500 unknown command");
  }, async (client) => {
    await assert.rejects(client.hash("a.txt", { algorithm: "sha-1" }), (e: unknown) => e instanceof FtpUnsupportedError && /neither HASH nor XSHA1/.test(e.message));
  });
});

test("refusals and malformed replies are typed: 550 → ERR_FTP_REPLY, a wrong digest → ERR_FTP_PROTOCOL", async () => {
  await withServer(["HASH SHA-256*", "XMD5"], async (conn) => {
    await conn.expect("HASH");
    conn.reply("550 a.txt: no such file");
    await conn.expect("XMD5");
    conn.reply("550 denied");
    await conn.expect("HASH");
    conn.reply("213 SHA-256 0-12 abcd a.txt");
    await conn.expect("HASH");
    conn.reply(`213 MD5 0-12 ${MD5} a.txt`);
    await conn.expect("XMD5");
    conn.reply("250 done");
  }, async (client) => {
    const isCode = (code: string, replyCode?: number) => (e: unknown) => e instanceof FtpError && e.code === code && (replyCode === undefined || e.replyCode === replyCode);
    await assert.rejects(client.hash("a.txt"), isCode("ERR_FTP_REPLY", 550));
    await assert.rejects(client.hash("a.txt", { algorithm: "md5" }), isCode("ERR_FTP_REPLY", 550));
    await assert.rejects(client.hash("a.txt"), (e: unknown) => isCode("ERR_FTP_PROTOCOL")(e) && /4 hex digits/.test((e as Error).message));
    await assert.rejects(client.hash("a.txt"), (e: unknown) => isCode("ERR_FTP_PROTOCOL")(e) && /answered with MD5/.test((e as Error).message));
    await assert.rejects(client.hash("a.txt", { algorithm: "md5" }), isCode("ERR_FTP_PROTOCOL"));
  });
});
