import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FtpError } from "../../src/errors.js";
import { blockHeader, createBlockDecoder, createBlockEncoder } from "../../src/data/block-mode.js";
import { RECORD_END, restartMarker, type DataUnit } from "../../src/data/data-units.js";
import { drive, driveBytes, driveError, everySplit, hex, normalizeUnits, splitAt, unitArbitrary } from "./codec-helpers.js";

const b = (s: string) => Buffer.from(s, "latin1");

// [units written, bytes on the wire] — the bytes written out by hand from RFC 959 §3.4.2.
const fixtures: Array<[string, DataUnit[], Buffer]> = [
  ["empty file", [], hex("40 0000")],
  ["one block", [b("abc")], hex("00 0003 616263 40 0000")],
  ["records", [b("ab"), RECORD_END, b("c"), RECORD_END], hex("00 0002 6162 80 0000 00 0001 63 80 0000 40 0000")],
  ["restart marker", [b("a"), restartMarker("R1"), b("b")], hex("00 0001 61 10 0002 5231 00 0001 62 40 0000")],
  ["byte 0xff and NUL are data", [Buffer.of(0xff, 0, 0x40)], hex("00 0003 ff0040 40 0000")],
];

test("MODE B encoder writes the hand-written blocks", async () => {
  for (const [name, units, wire] of fixtures) {
    assert.deepEqual(await driveBytes(createBlockEncoder(), units), wire, name);
  }
});

test("MODE B encoder splits at maxBlockLength and refuses a bad one", async () => {
  assert.deepEqual(await driveBytes(createBlockEncoder({ maxBlockLength: 2 }), [b("abcde")]), hex("00 0002 6162 00 0002 6364 00 0001 65 40 0000"));
  assert.throws(() => createBlockEncoder({ maxBlockLength: 0 }), { code: "ERR_FTP_INVALID_ARGUMENT" });
  assert.throws(() => createBlockEncoder({ maxBlockLength: 65536 }), { code: "ERR_FTP_INVALID_ARGUMENT" });
  assert.deepEqual(blockHeader(0x40, 0x1234), hex("40 1234"));
});

test("MODE B encoder refuses a marker that is not printable ASCII", async () => {
  for (const marker of ["", "a b", "x\r\n", "é", "x".repeat(257)]) {
    const error = await driveError(createBlockEncoder(), [restartMarker(marker)]);
    assert.ok(error instanceof FtpError && error.code === "ERR_FTP_INVALID_ARGUMENT", JSON.stringify(marker));
  }
});

test("MODE B decoder gives the same units at every split of every fixture", async () => {
  for (const [name, units, wire] of fixtures) {
    for (const chunks of everySplit(wire)) {
      const got = normalizeUnits(await drive<DataUnit>(createBlockDecoder({ output: "units" }), chunks));
      assert.deepEqual(got, normalizeUnits(units), `${name}: ${chunks.map((c) => c.toString("hex")).join("|")}`);
    }
  }
});

test("MODE B decoder in bytes mode reports markers with their offsets and EOR+EOF in one descriptor", async () => {
  const markers: Array<[string, number]> = [];
  const wire = hex("00 0003 616263 10 0003 523a33 00 0002 6465 c0 0001 66");
  for (const chunks of everySplit(wire)) {
    markers.length = 0;
    const bytes = await driveBytes(createBlockDecoder({ onRestartMarker: (m, at) => markers.push([m, at]) }), chunks);
    assert.equal(bytes.toString("latin1"), "abcdef");
    assert.deepEqual(markers, [["R:3", 3]]);
  }
  const units = normalizeUnits(await drive<DataUnit>(createBlockDecoder({ output: "units" }), [hex("c0 0001 66")]));
  assert.deepEqual(units, [b("f"), RECORD_END]);
});

test("MODE B decoder reports suspect data", async () => {
  const offsets: number[] = [];
  await driveBytes(createBlockDecoder({ onSuspectData: (at) => offsets.push(at) }), [hex("00 0001 61 20 0002 6263 40 0000")]);
  assert.deepEqual(offsets, [1]);
});

test("MODE B decoder refuses truncated data, data after EOF, unknown bits and an oversized marker", async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ["no EOF", hex("00 0001 61"), /without an EOF/],
    ["cut header", hex("00 00"), /inside a block/],
    ["cut payload", hex("00 0003 6162"), /inside a block/],
    ["after EOF", hex("40 0000 00"), /after the EOF/],
    ["low bits", hex("01 0000"), /unknown descriptor/],
    ["big marker", hex("10 0101"), /restart marker of 257/],
  ];
  for (const [name, wire, message] of cases) {
    for (const chunks of everySplit(wire)) {
      const error = await driveError(createBlockDecoder(), chunks);
      assert.ok(error instanceof FtpError, name);
      assert.equal(error.code, "ERR_FTP_PROTOCOL", name);
      assert.match(error.message, message, name);
    }
  }
});

test("MODE B: decode(encode(units)) is the identity for any units, block size and split", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(unitArbitrary, { maxLength: 12 }), fc.integer({ min: 1, max: 70 }), fc.array(fc.nat(1000), { maxLength: 6 }), async (units, maxBlockLength, cuts) => {
      const wire = await driveBytes(createBlockEncoder({ maxBlockLength }), units);
      const chunks = splitAt(wire, cuts.map((c) => c % (wire.length + 1)));
      const got = await drive<DataUnit>(createBlockDecoder({ output: "units" }), chunks);
      assert.deepEqual(normalizeUnits(got), normalizeUnits(units));
    }),
    { numRuns: 300 },
  );
});

test("MODE B decoder hands out views of the received chunk, not copies", async () => {
  const wire = hex("00 0004 61626364 40 0000");
  const decoder = createBlockDecoder();
  const seen: Buffer[] = [];
  decoder.on("data", (chunk: Buffer) => seen.push(chunk));
  decoder.end(wire);
  await new Promise((resolve) => decoder.on("end", resolve));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.buffer, wire.buffer);
});
