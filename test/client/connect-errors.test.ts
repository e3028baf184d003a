// A control connection that cannot be made rejects with its own code,
// ERR_FTP_CONNECT, carrying the system error as `cause` (issue 12: a refused
// connection or a DNS failure rejected with ERR_FTP_CLOSED, as if a session
// had existed and dropped).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createTcpServer } from "node:net";
import { once } from "node:events";
import { Client, FtpConnectError, FtpError } from "../../src/index.js";

/** A loopback port nobody listens on: bound (port 0), then closed. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

function isConnectError(host: string, port: number, causeCodes: readonly string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof FtpConnectError, `got ${String(error)}`);
    assert.ok(error instanceof FtpError);
    assert.equal(error.code, "ERR_FTP_CONNECT");
    assert.equal(error.host, host);
    assert.equal(error.port, port);
    assert.equal(error.replyCode, undefined);
    const cause = error.cause as NodeJS.ErrnoException;
    assert.ok(causeCodes.includes(String(cause.code)), `cause ${String(cause.code)}`);
    assert.match(error.message, new RegExp(`${host.replace(/\./g, "\\.")} port ${port}`));
    return true;
  };
}

test("a refused connection rejects with ERR_FTP_CONNECT, the ECONNREFUSED as cause", async () => {
  const port = await closedPort();
  await assert.rejects(Client.connect({ host: "127.0.0.1", port }), isConnectError("127.0.0.1", port, ["ECONNREFUSED"]));
});

test("a host name that does not resolve rejects with ERR_FTP_CONNECT, the resolver's error as cause", async () => {
  // .invalid never resolves (RFC 6761 §6.4); without a resolver the error is EAI_AGAIN.
  await assert.rejects(
    Client.connect({ host: "no-such-host.invalid", port: 21, timeouts: { connect: 30_000 } }),
    isConnectError("no-such-host.invalid", 21, ["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL"]),
  );
});

test("a createSocket that throws rejects with ERR_FTP_CONNECT, its error as cause", async () => {
  const refused = Object.assign(new Error("proxy refused"), { code: "ECONNREFUSED" });
  const client = new Client({ host: "files.example", port: 2121, createSocket: () => Promise.reject(refused) });
  await assert.rejects(client.connect(), (error: unknown) => isConnectError("files.example", 2121, ["ECONNREFUSED"])(error) && (error as Error).cause === refused);
});

test("after a failed connect, calls reject with ERR_FTP_CLOSED (no session exists)", async () => {
  const port = await closedPort();
  const client = new Client({ host: "127.0.0.1", port });
  await assert.rejects(client.connect(), isConnectError("127.0.0.1", port, ["ECONNREFUSED"]));
  await assert.rejects(client.pwd(), (error: unknown) => error instanceof FtpError && error.code === "ERR_FTP_CLOSED");
});
