import { test } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import fc from "fast-check";
import { FtpError } from "../../src/errors.js";
import { createDeflateDecoder, createDeflateEncoder, parseModeZOptions } from "../../src/data/deflate-mode.js";
import { driveBytes, driveError, everySplit, hex, splitAt } from "./codec-helpers.js";

test("MODE Z decodes a hand-made zlib stream at every split", async () => {
  // zlib stream of "hello" made by `printf hello | python3 -c 'import zlib,sys;print(zlib.compress(sys.stdin.buffer.read()).hex())'`.
  const wire = hex("789ccb48cdc9c90700062c0215");
  for (const chunks of everySplit(wire)) assert.equal((await driveBytes(createDeflateDecoder(), chunks)).toString(), "hello");
});

test("MODE Z encoder writes a zlib stream (RFC 1950 header) that zlib reads", async () => {
  const out = await driveBytes(createDeflateEncoder({ level: 9 }), [Buffer.from("abc"), Buffer.from("def")]);
  assert.equal(out[0], 0x78);
  assert.equal(inflateSync(out).toString(), "abcdef");
});

test("MODE Z levels: 0 stores, 9 shrinks a repetitive log; out-of-range levels are refused", async () => {
  const log = Buffer.from("2026-12-07 10:00:00 INFO request served in 3 ms\n".repeat(2000));
  const stored = await driveBytes(createDeflateEncoder({ level: 0 }), [log]);
  const best = await driveBytes(createDeflateEncoder({ level: 9 }), [log]);
  assert.ok(stored.length > log.length, `level 0: ${stored.length}`);
  assert.ok(best.length * 50 < log.length, `level 9: ${best.length}`);
  for (const level of [-1, 10, 1.5, Number.NaN]) assert.throws(() => createDeflateEncoder({ level }), { code: "ERR_FTP_INVALID_ARGUMENT" });
});

test("MODE Z decoder rejects corrupt and truncated input with ERR_FTP_PROTOCOL", async () => {
  for (const wire of [hex("0011223344"), hex("789ccb48cdc9")]) {
    const error = await driveError(createDeflateDecoder(), [wire]);
    assert.ok(error instanceof FtpError, String(error));
    assert.equal(error.code, "ERR_FTP_PROTOCOL");
    assert.match(error.message, /^MODE Z: /);
  }
});

test("OPTS MODE Z arguments", () => {
  assert.deepEqual(parseModeZOptions("LEVEL 9"), { level: 9 });
  assert.deepEqual(parseModeZOptions("level 0"), { level: 0 });
  assert.deepEqual(parseModeZOptions(""), {});
  for (const bad of ["LEVEL", "LEVEL 10", "LEVEL x", "ENGINE zlib"]) assert.throws(() => parseModeZOptions(bad), { code: "ERR_FTP_INVALID_ARGUMENT" }, bad);
});

test("MODE Z: decode(encode(bytes)) is the identity for any bytes, level and split", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 9 }), fc.array(fc.nat(4000), { maxLength: 6 }), async (bytes, level, cuts) => {
      const input = Buffer.from(bytes);
      const wire = await driveBytes(createDeflateEncoder({ level }), splitAt(input, cuts.map((c) => c % (input.length + 1))));
      const back = await driveBytes(createDeflateDecoder(), splitAt(wire, cuts.map((c) => c % (wire.length + 1))));
      assert.deepEqual(back, input);
    }),
    { numRuns: 150 },
  );
});
