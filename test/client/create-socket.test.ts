// The `createSocket` option: the control connection comes from the program
// (a SOCKS or HTTP CONNECT tunnel, a test stream) instead of a TCP connect.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { Duplex } from "node:stream";
import { Client } from "../../src/client/client.js";
import { FtpError, FtpTimeoutError } from "../../src/errors.js";
import { startFakeServer } from "./fake-server.js";

test("the control connection comes from createSocket; passive data goes to the host named, since a tunnel has no peer address", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("LIST");
    const socket = await data.socket;
    conn.reply("150 here");
    socket.end("-rw-r--r--   1 ftp ftp  3 Jan  1 10:00 a.txt\r\n");
    conn.reply("226 done");
  });
  const targets: unknown[] = [];
  try {
    const client = await Client.connect({
      host: "127.0.0.1",
      port: 2121,
      user: "u",
      password: "p",
      createSocket: async ({ host, port, family, signal }) => {
        targets.push({ host, port, family, aborted: signal.aborted });
        const tcp = connect(server.port, "127.0.0.1");
        await once(tcp, "connect");
        // A tunnel: a Duplex without remoteAddress/localAddress.
        return Duplex.from({ readable: tcp, writable: tcp });
      },
    });
    assert.deepEqual(targets, [{ host: "127.0.0.1", port: 2121, family: 0, aborted: false }]);
    const entries = await client.list("/", { method: "LIST" });
    assert.deepEqual(entries.map((e) => e.name), ["a.txt"]);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a createSocket that never answers ends at timeouts.connect; its signal fires and a late socket is destroyed", async () => {
  let signalled: AbortSignal | undefined;
  let release!: (socket: Duplex) => void;
  const late = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
  const client = new Client({
    host: "ftp.example.invalid",
    timeouts: { connect: 50 },
    createSocket: ({ signal }) => {
      signalled = signal;
      return new Promise<Duplex>((resolve) => (release = resolve));
    },
  });
  await assert.rejects(client.connect(), (e: unknown) => e instanceof FtpTimeoutError && /createSocket/.test(e.message));
  assert.equal(signalled?.aborted, true);
  release(late);
  await once(late, "close");
  assert.equal(late.destroyed, true);
});

test("createSocket failing or giving something that is not a Duplex rejects with a typed error", async () => {
  const failing = new Client({ host: "h", createSocket: () => Promise.reject(new Error("proxy refused")) });
  await assert.rejects(failing.connect(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CONNECT" && (e.cause as Error).message === "proxy refused");
  const wrong = new Client({ host: "h", createSocket: () => ({}) as Duplex });
  await assert.rejects(wrong.connect(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_INVALID_OPTION");
});
