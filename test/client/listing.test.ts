// list() reads the data connection directly (no stream pipeline): entries,
// byte counts, failures of the data side and of the parser, and active mode
// (whose accepted socket starts paused), against the scripted fake server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../src/client/client.js";
import { FtpError } from "../../src/errors.js";
import { startFakeServer, type FakeConnection } from "./fake-server.js";

const opts = (port: number) => ({ host: "127.0.0.1", port, user: "u", password: "p", timeouts: { connect: 2000, control: 2000, data: 2000 } });

function isCode(code: string) {
  return (e: unknown) => e instanceof FtpError && e.code === code;
}

/** EPSV → 229, then `verb`, then the data socket once the client connected. */
async function openListing(conn: FakeConnection, verb: string) {
  await conn.expect("EPSV");
  const data = await conn.passive();
  conn.reply(`229 ok (|||${data.port}|)`);
  await conn.expect(verb);
  const socket = await data.socket;
  conn.reply("150 listing");
  return socket;
}

test("list(): entries split across chunks, progress counts every byte, the session goes on", async () => {
  const body = "type=file;size=3; a.txt\r\ntype=dir; sub\r\n";
  let sawBytes!: () => void;
  const firstChunk = new Promise<void>((resolve) => (sawBytes = resolve));
  const server = await startFakeServer(async (conn) => {
    await conn.login(["MLST type*;size*;"]);
    const socket = await openListing(conn, "MLSD");
    socket.write(body.slice(0, 7));
    // The rest only once the client has counted the first 7 bytes: two chunks for sure.
    await firstChunk;
    socket.end(body.slice(7));
    await new Promise((r) => socket.once("close", r));
    conn.reply("226 done");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    const ends: number[] = [];
    client.on("progress", (info) => {
      if (info.bytes === 7) sawBytes();
    });
    client.on("transfer", (event) => {
      if (event.phase === "end") ends.push(event.bytes);
    });
    const entries = await client.list();
    assert.deepEqual(entries.map((e) => [e.name, e.type]), [["a.txt", "file"], ["sub", "directory"]]);
    assert.deepEqual(ends, [Buffer.byteLength(body)]);
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("list(): a listing line over the limit rejects with ERR_FTP_LINE_TOO_LONG and ABOR brings the session back", async () => {
  const seen: string[] = [];
  const server = await startFakeServer(async (conn) => {
    await conn.login(["MLST type*;size*;"]);
    const socket = await openListing(conn, "MLSD");
    socket.write(`type=file; ${"x".repeat(70_000)}`);
    seen.push((await conn.nextCommand(3000)) ?? "");
    socket.destroy();
    conn.reply("426 aborted", "226 abort ok");
    seen.push((await conn.nextCommand(3000)) ?? "");
    conn.reply("200 noop");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    await assert.rejects(client.list(), isCode("ERR_FTP_LINE_TOO_LONG"));
    assert.equal(await client.pwd(), "/");
    assert.deepEqual(seen, ["\xff\xf4\xff\xf2ABOR", "NOOP"]);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("list(): the data connection reset before its end is a typed failure, not a partial listing", async () => {
  let sawLine!: () => void;
  const firstLine = new Promise<void>((resolve) => (sawLine = resolve));
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    const socket = await openListing(conn, "LIST");
    socket.write("-rw-r--r-- 1 u g 5 Jan 01 2024 a.txt\r\n");
    // Reset once the client holds the first line: a partial listing it must not return.
    await firstLine;
    socket.resetAndDestroy();
    conn.reply("426 connection broken");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    client.on("progress", () => sawLine());
    await assert.rejects(client.list(), (e: unknown) => e instanceof FtpError);
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("list() in active mode: the accepted (paused) data socket is read", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    const eprt = await conn.expect("EPRT");
    const port = Number(/^EPRT \|1\|127\.0\.0\.1\|(\d+)\|$/.exec(eprt)?.[1]);
    conn.reply("200 ok");
    await conn.expect("LIST");
    const { connect } = await import("node:net");
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise((r) => socket.once("connect", r));
    conn.reply("150 listing");
    socket.end("-rw-r--r-- 1 u g 5 Jan 01 2024 a.txt\r\n");
    await new Promise((r) => socket.once("close", r));
    conn.reply("226 done");
  });
  try {
    const client = await Client.connect({ ...opts(server.port), mode: "active" });
    const entries = await client.list();
    assert.deepEqual(entries.map((e) => e.name), ["a.txt"]);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});
