// close(): QUIT and its bounded wait, the close event, and what later calls see.
import { once } from "node:events";
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../src/client/client.js";
import { FtpError } from "../../src/errors.js";
import { startFakeServer } from "./fake-server.js";

const opts = (port: number) => ({ host: "127.0.0.1", port, user: "u", password: "p", timeouts: { connect: 2000, control: 5000, data: 2000 } });

test("close() sends QUIT, returns once 221 arrives, emits close without an error; later calls reject ERR_FTP_CLOSED", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
  });
  try {
    const client = await Client.connect(opts(server.port));
    const events: unknown[] = [];
    client.on("close", (error) => events.push(error));
    const started = Date.now();
    await client.close();
    assert.ok(Date.now() - started < 900, `close() took ${Date.now() - started} ms`);
    assert.deepEqual(events, [undefined]);
    assert.equal(client.connected, false);
    assert.deepEqual(server.connections[0]!.received.slice(-1), ["QUIT"]);
    await assert.rejects(client.pwd(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
    await client.close(); // idempotent
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("close() waits for a QUIT reply one second at most (mock clock)", async (t) => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("QUIT");
    // Never answers: waits until the client hangs up.
    if (!conn.socket.closed) await once(conn.socket, "close");
  });
  try {
    const client = await Client.connect(opts(server.port));
    t.mock.timers.enable({ apis: ["setTimeout"] });
    let closed = false;
    const closing = client.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false, "still waiting for the QUIT reply at 999 ms");
    t.mock.timers.tick(1);
    await closing;
    t.mock.timers.reset();
    assert.equal(client.connected, false);
  } finally {
    await server.close();
  }
});
