// client.hash() against proftpd's mod_digest (HASH, OPTS HASH and the X
// commands), checked against node:crypto / zlib digests of the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { Client } from "../../src/client/client.js";
import type { HashAlgorithm } from "../../src/client/hash.js";
import { requirePeer } from "../support/require-peer.js";
import { startPeer } from "../support/peers/index.js";

const content = randomBytes(100_003);
const expected: Record<HashAlgorithm, string> = {
  "sha-256": createHash("sha256").update(content).digest("hex"),
  "sha-1": createHash("sha1").update(content).digest("hex"),
  "md5": createHash("md5").update(content).digest("hex"),
  "sha-512": createHash("sha512").update(content).digest("hex"),
  "crc32": "",
};

test("proftpd mod_digest: every algorithm through HASH, and the X commands' replies carry the same digests", async (t) => {
  if (!(await requirePeer(t, "proftpd"))) return;
  // node:zlib's crc32 arrived in Node 20.15; the matrix runs on 20.x where it exists.
  expected.crc32 = typeof crc32 === "function" ? crc32(content).toString(16).padStart(8, "0") : "";
  const peer = await startPeer("proftpd", { extraDirectives: ["LoadModule mod_digest.c", "DigestEngine on"], files: { "f.bin": content } });
  try {
    const client = await Client.connect({ host: peer.host, port: peer.port, user: peer.user, password: peer.password });
    assert.ok(client.features().has("HASH"), `FEAT: ${[...client.features().keys()].join(" ")}`);
    t.diagnostic(`proftpd FEAT HASH: ${client.features().get("HASH")}`);
    for (const algorithm of Object.keys(expected) as HashAlgorithm[]) {
      if (!expected[algorithm]) continue;
      const result = await client.hash("/f.bin", { algorithm });
      assert.equal(result.command, "HASH");
      assert.equal(result.hash, expected[algorithm], algorithm);
      assert.deepEqual(result.range, { start: 0, end: content.length });
    }
    await client.close();

    // The X commands that hash() falls back to on servers without HASH: their replies carry the digest as one hex word.
    const legacy = await Client.connect({ host: peer.host, port: peer.port, user: peer.user, password: peer.password });
    for (const [verb, algorithm] of [["XSHA256", "sha-256"], ["XSHA1", "sha-1"], ["XMD5", "md5"], ["XCRC", "crc32"], ["XSHA512", "sha-512"]] as const) {
      if (!expected[algorithm]) continue;
      assert.ok(legacy.features().has(verb), `FEAT lists ${verb}`);
      const reply = await legacy.send(`${verb} /f.bin`);
      const words = reply.lines.join(" ").toLowerCase().split(/\s+/);
      assert.ok(words.includes(expected[algorithm]), `${verb}: ${reply.code} ${reply.message}`);
    }
    await legacy.close();
  } finally {
    await peer.stop();
  }
});
