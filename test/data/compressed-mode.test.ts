import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FtpError } from "../../src/errors.js";
import { createCompressedDecoder, createCompressedEncoder } from "../../src/data/compressed-mode.js";
import { RECORD_END, restartMarker, type DataUnit } from "../../src/data/data-units.js";
import { drive, driveBytes, driveError, everySplit, hex, normalizeUnits, splitAt, unitArbitrary } from "./codec-helpers.js";

const b = (s: string) => Buffer.from(s, "latin1");

// [name, filler, units, wire] — wire bytes written by hand from RFC 959 §3.4.3.
const fixtures: Array<[string, number, DataUnit[], Buffer]> = [
  ["empty file", 0, [], hex("00 40")],
  ["literal", 0, [b("abc")], hex("03 616263 0040")],
  ["two equal bytes stay literal", 0, [b("aa")], hex("02 6161 0040")],
  ["replicated", 0, [b("aaaa")], hex("84 61 0040")],
  ["NUL filler", 0, [Buffer.alloc(3)], hex("c3 0040")],
  ["space filler for TYPE A", 0x20, [b("a   b")], hex("01 61 c3 01 62 0040")],
  ["space is not filler for TYPE I", 0, [b("a   b")], hex("01 61 83 20 01 62 0040")],
  ["a run longer than 63", 0, [b("ab" + "x".repeat(70))], hex("02 6162 bf 78 87 78 0040")],
  ["record ends", 0, [b("x"), RECORD_END, b("y"), RECORD_END], hex("01 78 0080 01 79 0080 0040")],
  ["restart marker", 0, [b("a"), restartMarker("R1"), b("b")], hex("01 61 0010 02 5231 01 62 0040")],
];

test("MODE C encoder writes the hand-written runs", async () => {
  for (const [name, filler, units, wire] of fixtures) {
    assert.deepEqual(await driveBytes(createCompressedEncoder({ filler }), units), wire, name);
  }
});

test("MODE C encoder splits long literals into runs of 127", async () => {
  const bytes = Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : 2)));
  const wire = await driveBytes(createCompressedEncoder(), [bytes]);
  assert.deepEqual(wire, Buffer.concat([Buffer.of(127), bytes.subarray(0, 127), Buffer.of(73), bytes.subarray(127), hex("0040")]));
});

test("MODE C refuses a bad filler and a marker longer than one run", async () => {
  assert.throws(() => createCompressedEncoder({ filler: 1 }), { code: "ERR_FTP_INVALID_ARGUMENT" });
  assert.throws(() => createCompressedDecoder({ filler: 0xff }), { code: "ERR_FTP_INVALID_ARGUMENT" });
  const error = await driveError(createCompressedEncoder(), [restartMarker("x".repeat(128))]);
  assert.ok(error instanceof FtpError && error.code === "ERR_FTP_INVALID_ARGUMENT");
});

test("MODE C decoder gives the same units at every split of every fixture", async () => {
  for (const [name, filler, units, wire] of fixtures) {
    for (const chunks of everySplit(wire)) {
      const got = normalizeUnits(await drive<DataUnit>(createCompressedDecoder({ filler, output: "units" }), chunks));
      assert.deepEqual(got, normalizeUnits(units), `${name}: ${chunks.map((c) => c.toString("hex")).join("|")}`);
    }
  }
});

test("MODE C decoder in bytes mode reports markers at their offsets", async () => {
  const wire = hex("02 6162 0010 03 523a32 82 63 0040");
  for (const chunks of everySplit(wire)) {
    const markers: Array<[string, number]> = [];
    const bytes = await driveBytes(createCompressedDecoder({ onRestartMarker: (m, at) => markers.push([m, at]) }), chunks);
    assert.equal(bytes.toString("latin1"), "abcc");
    assert.deepEqual(markers, [["R:2", 2]]);
  }
});

test("MODE C decoder refuses malformed streams", async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ["no EOF", hex("01 61"), /without an EOF/],
    ["cut literal", hex("03 6162"), /without an EOF/],
    ["zero replicate", hex("80 61 0040"), /replicated run of length 0/],
    ["zero filler", hex("c0 0040"), /filler run of length 0/],
    ["after EOF", hex("0040 01 61"), /after the EOF/],
    ["low bits", hex("0001"), /unknown descriptor/],
    ["marker without text", hex("0010 84 61 0040"), /not followed by the marker/],
    ["marker with EOF", hex("0050"), /combined/],
  ];
  for (const [name, wire, message] of cases) {
    for (const chunks of everySplit(wire)) {
      const error = await driveError(createCompressedDecoder(), chunks);
      assert.ok(error instanceof FtpError, name);
      assert.equal(error.code, "ERR_FTP_PROTOCOL", name);
      assert.match(error.message, message, name);
    }
  }
});

test("MODE C: decode(encode(units)) is the identity for any units, filler and split", async () => {
  // Bytes biased towards runs, so replicated and filler headers are exercised.
  const runny = fc.array(fc.tuple(fc.constantFrom(0, 0x20, 0x61, 0xff), fc.integer({ min: 1, max: 140 })), { maxLength: 5 })
    .map((runs) => Buffer.concat(runs.map(([v, n]) => Buffer.alloc(n, v))) as DataUnit);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(unitArbitrary, runny), { maxLength: 10 }), fc.constantFrom(0, 0x20), fc.array(fc.nat(2000), { maxLength: 6 }), async (units, filler, cuts) => {
      const wire = await driveBytes(createCompressedEncoder({ filler }), units);
      const chunks = splitAt(wire, cuts.map((c) => c % (wire.length + 1)));
      const got = await drive<DataUnit>(createCompressedDecoder({ filler, output: "units" }), chunks);
      assert.deepEqual(normalizeUnits(got), normalizeUnits(units));
    }),
    { numRuns: 300 },
  );
});
