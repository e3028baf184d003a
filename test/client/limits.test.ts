// The client's bounds against a hostile or broken server (issue 11): a reply
// trickled byte by byte ends at the reply deadline, and list() stops at its
// entry cap with an error that points to listIter().
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../src/client/client.js";
import { FtpError, FtpListingTooLargeError, FtpTimeoutError } from "../../src/errors.js";
import { startFakeServer, type FakeConnection } from "./fake-server.js";

const opts = (port: number) => ({ host: "127.0.0.1", port, user: "u", password: "p", timeouts: { connect: 5000, control: 5000, data: 5000 } });

test("a reply trickled one byte at a time ends with FtpTimeoutError at timeouts.reply, though bytes never stop", async () => {
  let trickle: NodeJS.Timeout | undefined;
  let sent = 0;
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("PWD");
    // A multi-line reply that never ends: one byte every 20 ms, far inside
    // the 5 s silence timeout, for at most 2,000 bytes (40 s).
    const body = Buffer.from(`257-"/"\r\n${" x\r\n".repeat(500)}`);
    await new Promise<void>((resolve) => {
      trickle = setInterval(() => {
        if (sent >= body.length || conn.socket.destroyed) {
          clearInterval(trickle);
          resolve();
          return;
        }
        conn.send(body.subarray(sent, ++sent));
      }, 20);
      conn.socket.once("close", () => {
        clearInterval(trickle);
        resolve();
      });
    });
  });
  try {
    const client = await Client.connect({ ...opts(server.port), timeouts: { ...opts(server.port).timeouts, reply: 400 } });
    await assert.rejects(client.pwd(), (e: unknown) => e instanceof FtpTimeoutError && /reply did not complete within 400 ms/.test(e.message));
    assert.equal(client.connected, false, "the session is given up: its reply stream is out of step");
    assert.ok(sent > 0 && sent < 2000, `bytes kept coming (${sent}) and the wait ended before the trickle did`);
  } finally {
    clearInterval(trickle);
    await server.close();
  }
});

/** EPSV, LIST, then `count` Unix lines on the data connection and its end. */
async function sendListing(conn: FakeConnection, count: number): Promise<void> {
  await conn.expect("EPSV");
  const data = await conn.passive();
  conn.reply(`229 ok (|||${data.port}|)`);
  await conn.expect("LIST");
  const socket = await data.socket;
  conn.reply("150 here it comes");
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`-rw-r--r--   1 ftp ftp  ${i} Jan  1 10:00 file${i}.txt`);
  socket.end(lines.join("\r\n") + "\r\n");
}

test("list() stops at limits.maxListEntries with FtpListingTooLargeError (pointing to listIter); the session stays usable", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await sendListing(conn, 50);
    // The client aborts: whatever it sends until NOOP is ABOR.
    for (let line = await conn.nextCommand(); line !== undefined && line !== "NOOP"; line = await conn.nextCommand()) {
      if (line.endsWith("ABOR")) conn.reply("426 aborted", "226 abort ok");
    }
    conn.reply("200 ok");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect({ ...opts(server.port), limits: { maxListEntries: 10 } });
    await assert.rejects(client.list("/", { method: "LIST" }), (e: unknown) =>
      e instanceof FtpListingTooLargeError && e instanceof FtpError && e.code === "ERR_FTP_LISTING_TOO_LARGE" && e.limit === 10 && /listIter\(\)/.test(e.message));
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("maxEntries raises (or lifts) the cap per call; the default cap is documented as 200 000", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await sendListing(conn, 50);
    conn.reply("226 done");
  });
  try {
    const client = await Client.connect({ ...opts(server.port), limits: { maxListEntries: 10 } });
    assert.equal(client.options.limits.maxListEntries, 10);
    const entries = await client.list("/", { method: "LIST", maxEntries: Infinity });
    assert.equal(entries.length, 50);
    await assert.rejects(client.list("/", { maxEntries: 0 }), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_INVALID_OPTION");
    await client.close();
    assert.equal(new Client({ host: "h" }).options.limits.maxListEntries, 200_000);
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});
