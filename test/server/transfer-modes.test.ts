// Server side of MODE B, MODE C, MODE Z and STRU R over real sockets: the
// wire bytes of a few transfers written out by hand (RFC 959 §3.4), round
// trips through the data/ codecs in every mode × TYPE × STRU, and the
// failures a codec must turn into 426 instead of 226.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable, Writable, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { deflateSync } from "node:zlib";
import { startServer, readAll, writeAll, type TestClient, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { createCrlfToLf, createLfToCrlf } from "../../src/data/ascii-transform.js";
import { createBlockDecoder, createBlockEncoder } from "../../src/data/block-mode.js";
import { restartMarker } from "../../src/data/data-units.js";
import { decodeStages, encodeStages, type CodecSettings, type TransferMode } from "../../src/data/transfer-stages.js";
import { RESTART_MARKER_INTERVAL } from "../../src/server/transfer-codecs.js";

const MARKED = randomBytes(RESTART_MARKER_INTERVAL * 2 + 1000);
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

async function through(stages: Transform[], input: readonly Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline([Readable.from(input, { objectMode: false }), ...stages, new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } })]);
  return Buffer.concat(out);
}

async function stor(c: TestClient, path: string, wire: Buffer): Promise<number> {
  const data = await c.pasv();
  assert.equal((await c.cmd(`STOR ${path}`)).code, 150);
  await writeAll(data, wire);
  return (await c.reply()).code;
}

async function retr(c: TestClient, path: string): Promise<{ wire: Buffer; code: number }> {
  const data = await c.pasv();
  assert.equal((await c.cmd(`RETR ${path}`)).code, 150);
  const wire = await readAll(data);
  return { wire, code: (await c.reply()).code };
}

describe("server MODE B / C / Z and STRU R", () => {
  let t: TestServer;
  let fs: MemoryFileSystem;
  before(async () => {
    fs = new MemoryFileSystem({ "/ten.txt": "0123456789", "/gaps.txt": "a    b", "/lines.txt": "ab\ncd\n", "/marked.bin": MARKED });
    t = await startServer({}, fs);
  });
  after(() => t.close());

  it("FEAT lists MODE Z; STAT names the mode and structure; REIN resets both", async () => {
    const c = await t.login();
    const feat = await c.cmd("FEAT");
    assert.ok(feat.lines.some((l) => l.trim() === "MODE Z"), feat.lines.join("|"));
    assert.equal((await c.cmd("MODE B")).code, 200);
    assert.equal((await c.cmd("STRU R")).code, 200);
    assert.match((await c.cmd("STAT")).lines.join("\n"), /STRUcture: Record, MODE: Block/);
    assert.equal((await c.cmd("REIN")).code, 220);
    await c.login();
    assert.match((await c.cmd("STAT")).lines.join("\n"), /STRUcture: File, MODE: Stream/);
  });

  it("OPTS MODE Z: LEVEL 0..9 → 200, anything else → 501", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("OPTS MODE Z LEVEL 9")).code, 200);
    assert.equal((await c.cmd("OPTS MODE Z")).code, 200);
    for (const bad of ["MODE Z LEVEL 10", "MODE Z LEVEL x", "MODE Z LEVEL", "MODE Z SPEED 3", "MODE B LEVEL 1"]) {
      assert.equal((await c.cmd(`OPTS ${bad}`)).code, 501, bad);
    }
  });

  it("RETR wire bytes, by hand: MODE B blocks, MODE C filler (space in TYPE A), STRU R escapes, MODE Z zlib", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("TYPE I")).code, 200);
    assert.equal((await c.cmd("MODE B")).code, 200);
    // One data block of 10 bytes, then a zero-length EOF block.
    assert.deepEqual(await retr(c, "/ten.txt"), { wire: hex("00000a 30313233343536373839 400000"), code: 226 });
    assert.equal((await c.cmd("TYPE A")).code, 200);
    assert.equal((await c.cmd("MODE C")).code, 200);
    // Literal "a", four filler spaces (0xC4), literal "b", EOF escape.
    assert.deepEqual(await retr(c, "/gaps.txt"), { wire: hex("0161 c4 0162 0040"), code: 226 });
    assert.equal((await c.cmd("MODE S")).code, 200);
    assert.equal((await c.cmd("STRU R")).code, 200);
    assert.deepEqual(await retr(c, "/lines.txt"), { wire: hex("6162 ff01 6364 ff01 ff02"), code: 226 });
    assert.equal((await c.cmd("MODE B")).code, 200);
    // Records in block mode: data blocks, zero-length EOR blocks, EOF.
    assert.deepEqual(await retr(c, "/lines.txt"), { wire: hex("000002 6162 800000 000002 6364 800000 400000"), code: 226 });
    assert.equal((await c.cmd("STRU F")).code, 200);
    assert.equal((await c.cmd("TYPE I")).code, 200);
    assert.equal((await c.cmd("MODE Z")).code, 200);
    const z = await retr(c, "/ten.txt");
    assert.equal(z.code, 226);
    assert.deepEqual(z.wire, deflateSync("0123456789", { level: 6 }));
  });

  const modes: TransferMode[] = ["S", "B", "C", "Z"];
  for (const mode of modes) {
    for (const type of ["A", "I"] as const) {
      for (const structure of ["F", "R"] as const) {
        it(`round trip MODE ${mode}, TYPE ${type}, STRU ${structure}: empty, text and 300 KiB files byte-exact`, async () => {
          const c = await t.login();
          for (const command of [`MODE ${mode}`, `TYPE ${type}`, `STRU ${structure}`]) assert.equal((await c.cmd(command)).code, 200);
          const settings: CodecSettings = { mode, structure, type };
          // Record files are lines ending in LF; file structure takes any bytes (TYPE A: LF text, since it converts).
          const big = type === "I" && structure === "F" ? randomBytes(300 * 1024) : Buffer.from(Array.from({ length: 6000 }, (_, i) => `line ${i} ${"x".repeat(i % 80)}\n`).join(""));
          for (const [name, body] of [["empty", Buffer.alloc(0)], ["text", Buffer.from("one\n\ntwo  \u00ff\n")], ["big", big]] as const) {
            const path = `/rt-${mode}${type}${structure}-${name}`;
            const ascii = type === "A" && structure === "F";
            const wire = await through(encodeStages(settings, ascii ? createLfToCrlf() : undefined), [body.subarray(0, 7), body.subarray(7)]);
            assert.equal(await stor(c, path, wire), 226, `${path} stored`);
            assert.ok(fs.readFileSync(path).equals(body), `${path} stored byte-exact`);
            const back = await retr(c, path);
            assert.equal(back.code, 226);
            assert.ok((await through(decodeStages(settings, ascii ? createCrlfToLf() : undefined), [back.wire])).equals(body), `${path} read back byte-exact`);
          }
        });
      }
    }
  }

  it("a MODE B upload without its EOF block is answered 426, never 226; the next one gets a fresh decoder", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("TYPE I")).code, 200);
    assert.equal((await c.cmd("MODE B")).code, 200);
    const cut = await stor(c, "/cut.bin", hex("000003 616263"));
    assert.equal(cut, 426);
    const inBlock = await stor(c, "/cut2.bin", hex("000005 6162"));
    assert.equal(inBlock, 426);
    // Two whole uploads in a row: the EOF of the first must not be held against the second.
    assert.equal(await stor(c, "/one.bin", hex("000003 616263 400000")), 226);
    assert.equal(await stor(c, "/two.bin", hex("000002 6465 400000")), 226);
    assert.equal(fs.readFileSync("/two.bin").toString(), "de");
    assert.equal((await c.cmd("NOOP")).code, 200);
  });

  it("MODE C and MODE Z uploads that break off or are corrupt → 426", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("TYPE I")).code, 200);
    assert.equal((await c.cmd("MODE C")).code, 200);
    assert.equal(await stor(c, "/c.bin", hex("03 616263")), 426);
    assert.equal(await stor(c, "/c2.bin", hex("05 6162")), 426);
    assert.equal((await c.cmd("MODE Z")).code, 200);
    const whole = deflateSync(randomBytes(5000));
    assert.equal(await stor(c, "/z.bin", whole.subarray(0, whole.length - 10)), 426);
    assert.equal(await stor(c, "/z2.bin", Buffer.from("not zlib at all")), 426);
    assert.equal((await c.cmd("NOOP")).code, 200);
  });

  it("MODE B: a RETR carries a restart marker per interval; REST <marker> resumes there; upload markers get 110 MARK", async () => {
    const body = MARKED;
    const c = await t.login();
    assert.equal((await c.cmd("TYPE I")).code, 200);
    assert.equal((await c.cmd("MODE B")).code, 200);
    const markers: Array<[string, number]> = [];
    const { wire, code } = await retr(c, "/marked.bin");
    assert.equal(code, 226);
    const decoded = await through([createBlockDecoder({ onRestartMarker: (m, offset) => markers.push([m, offset]) })], [wire]);
    assert.ok(decoded.equals(body));
    assert.deepEqual(markers, [[String(RESTART_MARKER_INTERVAL), RESTART_MARKER_INTERVAL], [String(2 * RESTART_MARKER_INTERVAL), 2 * RESTART_MARKER_INTERVAL]]);
    assert.equal((await c.cmd(`REST ${markers[1]![0]}`)).code, 350);
    const rest = await retr(c, "/marked.bin");
    assert.ok((await through([createBlockDecoder()], [rest.wire])).equals(body.subarray(2 * RESTART_MARKER_INTERVAL)));

    // Upload: the client's marker "m1" after 3 bytes is acknowledged with the server's offset.
    const encoder = createBlockEncoder();
    const parts: Buffer[] = [];
    encoder.on("data", (b: Buffer) => parts.push(b));
    encoder.write(Buffer.from("abc"));
    encoder.write(restartMarker("m1"));
    encoder.end(Buffer.from("def"));
    await new Promise((resolve) => encoder.on("end", resolve));
    const data = await c.pasv();
    assert.equal((await c.cmd("STOR /with-marker.bin")).code, 150);
    await writeAll(data, Buffer.concat(parts));
    const mark = await c.reply();
    assert.equal(mark.code, 110);
    assert.equal(mark.message, "MARK m1 = 3");
    assert.equal((await c.reply()).code, 226);
    assert.equal(fs.readFileSync("/with-marker.bin").toString(), "abcdef");
  });

  it("MODE B applies to listings too (STRU does not)", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("MODE B")).code, 200);
    assert.equal((await c.cmd("STRU R")).code, 200);
    const data = await c.pasv();
    assert.equal((await c.cmd("NLST /")).code, 150);
    const wire = await readAll(data);
    assert.equal((await c.reply()).code, 226);
    const names = (await through([createBlockDecoder()], [wire])).toString();
    assert.match(names, /ten\.txt\r\n/);
  });
});
