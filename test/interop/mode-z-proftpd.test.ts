// The MODE Z codec against proftpd's mod_deflate: a download inflated by
// createDeflateDecoder and an upload deflated by createDeflateEncoder (with
// OPTS MODE Z LEVEL) both match the file byte for byte. The data connection
// is made by hand (PASV + a socket) since the client's transfers do not use
// the codecs yet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable, Writable } from "node:stream";
import { Client } from "../../src/client/client.js";
import { createDeflateDecoder, createDeflateEncoder } from "../../src/data/deflate-mode.js";
import { parsePasvReply } from "../../src/protocol/host-port.js";
import { requirePeer } from "../support/require-peer.js";
import { startPeer } from "../support/peers/index.js";

// Compressible and not: log lines with random ids.
const content = Buffer.from(Array.from({ length: 4000 }, (_, i) => `2026-12-07 10:00:${String(i % 60).padStart(2, "0")} INFO id=${randomBytes(4).toString("hex")} served\n`).join(""));

async function dataSocket(client: Client): Promise<import("node:net").Socket> {
  const { host, port } = parsePasvReply((await client.send("PASV")).message);
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  return socket;
}

test("proftpd mod_deflate: MODE Z download and upload through the deflate codecs", async (t) => {
  if (!(await requirePeer(t, "proftpd"))) return;
  const peer = await startPeer("proftpd", { extraDirectives: ["LoadModule mod_deflate.c", "DeflateEngine on"], files: { "log.txt": content } });
  try {
    const client = await Client.connect({ host: peer.host, port: peer.port, user: peer.user, password: peer.password });
    t.diagnostic(`proftpd FEAT MODE: ${client.features().get("MODE") ?? "(none)"}`);
    assert.equal((await client.send("MODE Z")).code, 200);

    const down = await dataSocket(client);
    const chunks: Buffer[] = [];
    let wire = 0;
    down.on("data", (b: Buffer) => (wire += b.length));
    const done = client.sendTransferCommand("RETR /log.txt");
    await pipeline(down, createDeflateDecoder(), new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk); cb(); } }));
    assert.equal((await done).code, 226);
    assert.deepEqual(Buffer.concat(chunks), content);
    assert.ok(wire < content.length / 2, `${wire} bytes on the wire for ${content.length}`);
    t.diagnostic(`download: ${content.length} bytes as ${wire} on the wire`);

    assert.equal((await client.send("OPTS MODE Z LEVEL 9")).code, 200);
    const up = await dataSocket(client);
    const stored = client.sendTransferCommand("STOR /up.txt");
    await pipeline(Readable.from([content.subarray(0, 1000), content.subarray(1000)]), createDeflateEncoder({ level: 9 }), up);
    assert.equal((await stored).code, 226);
    assert.deepEqual(await readFile(join(peer.root, "up.txt")), content);
    await client.send("MODE S");
    await client.close();
  } finally {
    await peer.stop();
  }
});
