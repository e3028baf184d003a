import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FtpInvalidArgumentError } from "../../src/errors.js";
import { formatMdtm, parseMdtm } from "../../src/protocol/time.js";

describe("MDTM / MFMT time values", () => {
  const cases: [string, string][] = [
    ["20240131235959", "2024-01-31T23:59:59.000Z"],
    ["19700101000000", "1970-01-01T00:00:00.000Z"],
    ["19691231235959", "1969-12-31T23:59:59.000Z"],
    ["19000101000000", "1900-01-01T00:00:00.000Z"],
    ["20000229120000", "2000-02-29T12:00:00.000Z"],
    ["99991231235959", "9999-12-31T23:59:59.000Z"],
    ["20240131235959.1", "2024-01-31T23:59:59.100Z"],
    ["20240131235959.12", "2024-01-31T23:59:59.120Z"],
    ["20240131235959.123", "2024-01-31T23:59:59.123Z"],
    ["20240131235959.123456", "2024-01-31T23:59:59.123Z"],
    [" 20240131235959 ", "2024-01-31T23:59:59.000Z"],
  ];
  for (const [text, iso] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(parseMdtm(text).toISOString(), iso));
  }
  it("parses years 0000-0099 as those years, not 19xx", () => {
    const d = parseMdtm("00010203040506");
    assert.equal(d.getUTCFullYear(), 1);
    assert.equal(d.getUTCMonth(), 1);
    assert.equal(d.getUTCDate(), 3);
    assert.equal(parseMdtm("00000101000000").getUTCFullYear(), 0);
  });
  it("keeps a leap second inside its minute", () => {
    assert.equal(parseMdtm("20161231235960").toISOString(), "2016-12-31T23:59:59.999Z");
  });
  const bad = [
    "2024013123595",
    "202401312359599",
    "20241301000000",
    "20240001000000",
    "20240100000000",
    "20240132000000",
    "20230229000000",
    "19000229000000",
    "20240431000000",
    "20240101240000",
    "20240101006000",
    "20240101000061",
    "20240101000000.",
    "20240101000000.x",
    "2024-01-01 00:00",
    "abcdefghijklmn",
    "",
  ];
  for (const text of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseMdtm(text), FtpInvalidArgumentError));
  }
  it("formats in UTC with zero padding", () => {
    assert.equal(formatMdtm(new Date("2024-01-31T23:59:59.123Z")), "20240131235959");
    assert.equal(formatMdtm(new Date("2024-01-31T23:59:59.123Z"), true), "20240131235959.123");
    assert.equal(formatMdtm(new Date("2024-01-31T23:59:59.007Z"), true), "20240131235959.007");
    assert.equal(formatMdtm(new Date("1969-07-20T20:17:40Z")), "19690720201740");
    const early = new Date(0);
    early.setUTCFullYear(42, 0, 2);
    assert.equal(formatMdtm(early), "00420102000000");
  });
  it("refuses dates it cannot write", () => {
    assert.throws(() => formatMdtm(new Date(NaN)), FtpInvalidArgumentError);
    assert.throws(() => formatMdtm(new Date("+010000-01-01T00:00:00Z")), FtpInvalidArgumentError);
    assert.throws(() => formatMdtm(new Date("-000001-01-01T00:00:00Z")), FtpInvalidArgumentError);
  });
  it("round-trips", () => {
    for (const iso of ["0001-01-01T00:00:00.000Z", "1601-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2038-01-19T03:14:08.500Z", "9999-12-31T23:59:59.999Z"]) {
      const d = new Date(iso);
      assert.equal(parseMdtm(formatMdtm(d, true)).toISOString(), iso);
    }
  });
});
