// The passive command and the transfer command travel together once a
// passive strategy has worked: one round trip per transfer, not two. These
// tests hold the passive reply back and look at what the client sent
// meanwhile, so each would fail if the client waited for the reply.
import assert from "node:assert/strict";
import test from "node:test";
import { Writable } from "node:stream";
import { Client, FtpError, FtpReplyError } from "../../src/index.js";
import { startFakeServer, type FakeConnection } from "./fake-server.js";

/** Downloads `path` into memory. */
async function fetch(client: Client, path: string, start?: number): Promise<string> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (chunks.push(chunk), cb()) });
  await client.download(path, sink, start === undefined ? {} : { start });
  return Buffer.concat(chunks).toString();
}

const opts = (port: number) => ({ host: "127.0.0.1", port, user: "u", password: "p", timeouts: { control: 3000, data: 3000 } });

/** Serves one RETR of `body` after an EPSV that was already answered. */
async function serveRetr(conn: FakeConnection, body: string): Promise<void> {
  const data = await conn.passive();
  conn.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`);
  await conn.expect("RETR");
  const socket = await data.socket;
  conn.reply("150 sending");
  socket.end(body);
  await new Promise((r) => socket.once("close", r));
  conn.reply("226 done");
}

test("the first transfer learns EPSV; later ones send EPSV and RETR in one write, before the 229", async () => {
  const seen: string[] = [];
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    // Not pipelined yet: nothing follows EPSV until it is answered.
    await assert.rejects(conn.nextCommand(150), /no command within timeout/);
    await serveRetr(conn, "one");
    await conn.expect("EPSV");
    // Pipelined: RETR is already here although EPSV has no reply yet.
    const early = await conn.nextCommand(1000);
    seen.push(early ?? "");
    const data = await conn.passive();
    conn.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`);
    const socket = await data.socket;
    conn.reply("150 sending");
    socket.end("two");
    await new Promise((r) => socket.once("close", r));
    conn.reply("226 done");
  });
  try {
    const client = await Client.connect(opts(server.port));
    assert.equal(await fetch(client, "/a"), "one");
    assert.equal(await fetch(client, "/b"), "two");
    assert.deepEqual(seen, ["RETR /b"]);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a resumed transfer (REST) is not pipelined: a refused REST must stop the command after it", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    await serveRetr(conn, "one");
    await conn.expect("EPSV");
    const data = await conn.passive();
    // REST follows only after the 229, and RETR only after REST's reply.
    await assert.rejects(conn.nextCommand(150), /no command within timeout/);
    conn.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`);
    await conn.expect("REST 2");
    await assert.rejects(conn.nextCommand(150), /no command within timeout/);
    conn.reply("502 no REST here");
    data.close();
  });
  try {
    const client = await Client.connect(opts(server.port));
    await fetch(client, "/a");
    await assert.rejects(fetch(client, "/b", 2), (e: unknown) => e instanceof FtpReplyError && e.replyCode === 502);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a pipelined EPSV that fails rejects with its own reply, the refused RETR is read, and the session stays in step", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    await serveRetr(conn, "one");
    await conn.expect("EPSV");
    await conn.expect("RETR");
    conn.reply("425 no passive ports left", "425 use PASV or EPSV first");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    await fetch(client, "/a");
    await assert.rejects(fetch(client, "/b"), (e: unknown) => e instanceof FtpReplyError && e.replyCode === 425 && /passive ports/.test(e.message));
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a refused pipelined RETR (550) leaves no stray data connection and the next transfer works", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    await serveRetr(conn, "one");
    await conn.expect("EPSV");
    await conn.expect("RETR /missing");
    const data = await conn.passive();
    conn.reply(`229 Entering Extended Passive Mode (|||${data.port}|)`, "550 no such file");
    // The client connected (it could not know) and must hang up by itself.
    const stray = await data.socket;
    await new Promise((r) => stray.once("close", r));
    await conn.expect("EPSV");
    await serveRetr(conn, "three");
  });
  try {
    const client = await Client.connect(opts(server.port));
    await fetch(client, "/a");
    await assert.rejects(fetch(client, "/missing"), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_REPLY");
    assert.equal(await fetch(client, "/c"), "three");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});
