import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FtpError } from "../../src/errors.js";
import { createLinesToRecords, createRecordsToLines } from "../../src/data/record-structure.js";
import { driveBytes, driveError, everySplit, hex, splitAt } from "./codec-helpers.js";

const b = (s: string) => Buffer.from(s, "latin1");

// [local lines, stream-mode record bytes] written by hand from RFC 959 §3.4.1.
const fixtures: Array<[Buffer, Buffer]> = [
  [b(""), hex("ff02")],
  [b("ab\ncd\n"), hex("6162 ff01 6364 ff01 ff02")],
  [b("\n\n"), hex("ff01 ff01 ff02")],
  [Buffer.of(0xff, 0x0a), hex("ffff ff01 ff02")],
  [Buffer.of(0x61, 0xff, 0xff, 0x62, 0x0a), hex("61 ffff ffff 62 ff01 ff02")],
];

test("lines → records writes the RFC's escape sequences at every split", async () => {
  for (const [lines, wire] of fixtures) {
    for (const chunks of everySplit(lines)) assert.deepEqual(await driveBytes(createLinesToRecords(), chunks), wire, lines.toString("hex"));
  }
  // A last line without LF is a record: its EOR and the EOF share one code.
  assert.deepEqual(await driveBytes(createLinesToRecords(), [b("ab\ncd")]), hex("6162 ff01 6364 ff03"));
});

test("records → lines at every split", async () => {
  for (const [lines, wire] of fixtures) {
    for (const chunks of everySplit(wire)) assert.deepEqual(await driveBytes(createRecordsToLines(), chunks), lines, wire.toString("hex"));
  }
  for (const chunks of everySplit(hex("6162 ff03"))) assert.deepEqual(await driveBytes(createRecordsToLines(), chunks), b("ab\n"));
});

test("records → lines: a connection closed without EOF keeps every byte", async () => {
  for (const chunks of everySplit(hex("6162 ff01 6364"))) assert.deepEqual(await driveBytes(createRecordsToLines(), chunks), b("ab\ncd"));
});

test("records → lines refuses unknown codes, a cut escape and bytes after EOF", async () => {
  const cases: Array<[Buffer, RegExp]> = [
    [hex("61 ff07"), /unknown control code 0xFF 0x07/],
    [hex("61 ff"), /inside an escape/],
    [hex("ff02 61"), /after the EOF/],
    [hex("ff03 ff01"), /after the EOF/],
  ];
  for (const [wire, message] of cases) {
    for (const chunks of everySplit(wire)) {
      const error = await driveError(createRecordsToLines(), chunks);
      assert.ok(error instanceof FtpError && error.code === "ERR_FTP_PROTOCOL", wire.toString("hex"));
      assert.match(error.message, message);
    }
  }
});

test("STRU R: lines → records → lines is the identity (plus a final LF) for any bytes and splits", async () => {
  const bytes = fc.array(fc.constantFrom(0x0a, 0xff, 0x01, 0x02, 0x61), { maxLength: 60 }).map((a) => Buffer.from(a));
  await fc.assert(
    fc.asyncProperty(bytes, fc.array(fc.nat(200), { maxLength: 5 }), fc.array(fc.nat(200), { maxLength: 5 }), async (lines, cutsIn, cutsOut) => {
      const wire = await driveBytes(createLinesToRecords(), splitAt(lines, cutsIn.map((c) => c % (lines.length + 1))));
      const back = await driveBytes(createRecordsToLines(), splitAt(wire, cutsOut.map((c) => c % (wire.length + 1))));
      const expected = lines.length === 0 || lines[lines.length - 1] === 0x0a ? lines : Buffer.concat([lines, b("\n")]);
      assert.deepEqual(back, expected);
    }),
    { numRuns: 300 },
  );
});
