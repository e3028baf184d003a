import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { createProxyTrust, readProxyHeader } from "../../src/server/proxy-handshake.js";
import { FtpInvalidOptionError } from "../../src/errors.js";
import { ProxyHeaderError } from "../../src/protocol/proxy-header.js";

/** A listener whose first connection is handed to `onSocket`; returns what it resolves to. */
async function acceptOne<T>(onSocket: (socket: Socket) => Promise<T>, client: (socket: Socket) => void): Promise<T> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const accepted = once(server, "connection");
  const peer = connect(port, "127.0.0.1");
  peer.on("error", () => {});
  client(peer);
  const [socket] = (await accepted) as [Socket];
  try {
    return await onSocket(socket);
  } finally {
    socket.destroy();
    peer.destroy();
    server.close();
  }
}

/** All bytes the socket delivers after the header, through an ordinary 'data' listener. */
function collectUntil(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    socket.on("data", (chunk: Buffer) => {
      got += chunk.toString("latin1");
      if (got.includes(text)) resolve(got);
    });
  });
}

describe("readProxyHeader on a real socket", () => {
  it("reads the header and leaves the FTP bytes that came in the same segment for the session", async () => {
    const got = await acceptOne(
      async (socket) => {
        const header = await readProxyHeader(socket, 5000);
        return { header, rest: await collectUntil(socket, "PASS y\r\n") };
      },
      (peer) => peer.write("PROXY TCP4 192.0.2.7 127.0.0.1 5555 21\r\nUSER x\r\nPASS y\r\n"),
    );
    assert.deepEqual(got.header.source, { address: "192.0.2.7", port: 5555, family: 4 });
    assert.equal(got.rest, "USER x\r\nPASS y\r\n");
  });
  it("waits for a header split over several writes", async () => {
    const parts = ["PROXY TC", "P6 2001:db8::5 ::1 6000 2", "1\r", "\nNOOP\r\n"];
    const got = await acceptOne(
      async (socket) => {
        const pending = readProxyHeader(socket, 5000);
        return { header: await pending, rest: await collectUntil(socket, "NOOP\r\n") };
      },
      (peer) => {
        // Each part is written after the previous one was flushed to the kernel.
        const next = (i: number): void => void (i < parts.length && peer.write(parts[i]!, () => setImmediate(() => next(i + 1))));
        next(0);
      },
    );
    assert.equal(got.header.source?.address, "2001:db8::5");
    assert.equal(got.rest, "NOOP\r\n");
  });
  it("rejects garbage, a peer that closes first, and a silent peer after the timeout", async () => {
    await assert.rejects(
      acceptOne((socket) => readProxyHeader(socket, 5000), (peer) => peer.write("USER anonymous\r\n")),
      ProxyHeaderError,
    );
    await assert.rejects(
      acceptOne((socket) => readProxyHeader(socket, 5000), (peer) => peer.end("PROXY TCP4 1.2.3.4")),
      /closed before/,
    );
    await assert.rejects(
      acceptOne((socket) => readProxyHeader(socket, 20), () => {}),
      /within 20 ms/,
    );
  });
});

describe("createProxyTrust", () => {
  it("matches addresses and CIDR blocks of both families, IPv4-mapped included", () => {
    const trusted = createProxyTrust(["10.0.0.0/8", "192.0.2.1", "fd00::/8"]);
    assert.ok(trusted("10.1.2.3"));
    assert.ok(trusted("::ffff:10.1.2.3"));
    assert.ok(trusted("192.0.2.1"));
    assert.ok(!trusted("192.0.2.2"));
    assert.ok(trusted("fd12::1"));
    assert.ok(!trusted("fe80::1"));
    assert.ok(!trusted("not an address"));
    assert.ok(!createProxyTrust([])("127.0.0.1"));
  });
  it("refuses what is not an address or block", () => {
    for (const bad of ["10.0.0.0/33", "fd00::/129", "10.0.0/8", "host.example", "10.0.0.0/8/1", "10.0.0.0/x"]) {
      assert.throws(() => createProxyTrust([bad]), FtpInvalidOptionError, bad);
    }
  });
});
