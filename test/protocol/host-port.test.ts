import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FtpInvalidArgumentError, FtpProtocolError } from "../../src/errors.js";
import {
  formatEprtArg,
  formatEpsvArg,
  formatPasvArg,
  formatPortArg,
  parseEprtArg,
  parseEpsvReply,
  parsePasvReply,
  parsePortArg,
  unmapIPv4,
} from "../../src/protocol/host-port.js";

describe("PASV reply (227)", () => {
  const cases: [string, string, number][] = [
    ["Entering Passive Mode (127,0,0,1,4,1)", "127.0.0.1", 1025],
    ["Entering Passive Mode (192,168,1,2,195,80).", "192.168.1.2", 50000],
    ["Entering Passive Mode 10,0,0,5,0,21", "10.0.0.5", 21],
    ["=10,1,2,3,200,7", "10.1.2.3", 51207],
    ["Entering Passive Mode (255,255,255,255,255,255)", "255.255.255.255", 65535],
    ["Entering Passive Mode (0,0,0,0,0,1)", "0.0.0.0", 1],
    ["227 Entering Passive Mode (1,2,3,4,5,6)", "1.2.3.4", 1286],
    ["Entering Passive Mode ( 1, 2, 3, 4, 5, 6 )", "1.2.3.4", 1286],
  ];
  for (const [text, host, port] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parsePasvReply(text), { host, port, family: 4 });
    });
  }
  const bad = [
    "Entering Passive Mode",
    "Entering Passive Mode (256,0,0,1,4,1)",
    "Entering Passive Mode (1,2,3,4,0,0)",
    "Entering Passive Mode (1,2,3,4,256,0)",
    "Entering Passive Mode (1,2,3,4,5)",
    "Entering Passive Mode (1234,2,3,4,5,6)",
    "",
  ];
  for (const text of bad) {
    it(`rejects ${JSON.stringify(text)} with FtpProtocolError`, () => {
      assert.throws(() => parsePasvReply(text), FtpProtocolError);
    });
  }
});

describe("PORT argument", () => {
  it("formats and parses", () => {
    assert.equal(formatPasvArg({ host: "127.0.0.1", port: 1025 }), "127,0,0,1,4,1");
    assert.equal(formatPortArg({ host: "10.0.0.2", port: 65535 }), "10,0,0,2,255,255");
    assert.equal(formatPortArg({ host: "::ffff:10.0.0.2", port: 256 }), "10,0,0,2,1,0");
    assert.deepEqual(parsePortArg("127,0,0,1,4,1"), { host: "127.0.0.1", port: 1025, family: 4 });
    assert.deepEqual(parsePortArg(" 10,0,0,2,255,255 "), { host: "10.0.0.2", port: 65535, family: 4 });
  });
  it("round-trips every port boundary", () => {
    for (const port of [1, 255, 256, 257, 1024, 32768, 65534, 65535]) {
      const hp = { host: "192.0.2.7", port };
      assert.deepEqual(parsePortArg(formatPortArg(hp)), { ...hp, family: 4 });
      assert.deepEqual(parsePasvReply(`Entering Passive Mode (${formatPasvArg(hp)})`), { ...hp, family: 4 });
    }
  });
  for (const arg of ["256,0,0,1,4,1", "1,2,3,4,0,0", "1,2,3,4,256,1", "1,2,3,4,5", "1,2,3,4,5,6,7", "a,b,c,d,e,f", "", "1,2,3,4,5,6x"]) {
    it(`parsePortArg rejects ${JSON.stringify(arg)}`, () => {
      assert.throws(() => parsePortArg(arg), FtpInvalidArgumentError);
    });
  }
  it("refuses to format IPv6, bad hosts and bad ports", () => {
    assert.throws(() => formatPortArg({ host: "::1", port: 21 }), FtpInvalidArgumentError);
    assert.throws(() => formatPasvArg({ host: "example.com", port: 21 }), FtpInvalidArgumentError);
    assert.throws(() => formatPasvArg({ host: "1.2.3.4", port: 0 }), FtpInvalidArgumentError);
    assert.throws(() => formatPasvArg({ host: "1.2.3.4", port: 65536 }), FtpInvalidArgumentError);
    assert.throws(() => formatPasvArg({ host: "1.2.3.4", port: 1.5 }), FtpInvalidArgumentError);
  });
});

describe("EPSV reply (229)", () => {
  const cases: [string, number][] = [
    ["Entering Extended Passive Mode (|||6446|)", 6446],
    ["Entering Extended Passive Mode (!!!1!)", 1],
    ["Entering Extended Passive Mode (###65535#)", 65535],
    ["Entering Extended Passive Mode (~~~2121~)", 2121],
    ["EPSV ok |||50000|", 50000],
    ["229 Entering Extended Passive Mode (|||6446|)", 6446],
  ];
  for (const [text, port] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(parseEpsvReply(text), port));
  }
  for (const text of [
    "Entering Extended Passive Mode (|||0|)",
    "Entering Extended Passive Mode (|||65536|)",
    "Entering Extended Passive Mode (||6446|)",
    "Entering Extended Passive Mode (|!|6446|)",
    "Entering Extended Passive Mode (|||6446!)",
    "Entering Extended Passive Mode",
  ]) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseEpsvReply(text), FtpProtocolError));
  }
  it("formats", () => {
    assert.equal(formatEpsvArg(6446), "|||6446|");
    assert.equal(parseEpsvReply(`Entering Extended Passive Mode (${formatEpsvArg(65535)})`), 65535);
    assert.throws(() => formatEpsvArg(0), FtpInvalidArgumentError);
    assert.throws(() => formatEpsvArg(65536), FtpInvalidArgumentError);
  });
});

describe("EPRT argument", () => {
  it("parses IPv4 and IPv6 with any delimiter", () => {
    assert.deepEqual(parseEprtArg("|1|132.235.1.2|6275|"), { host: "132.235.1.2", port: 6275, family: 4 });
    assert.deepEqual(parseEprtArg("|2|1080::8:800:200C:417A|5282|"), { host: "1080::8:800:200C:417A", port: 5282, family: 6 });
    assert.deepEqual(parseEprtArg("!2!::1!21!"), { host: "::1", port: 21, family: 6 });
    assert.deepEqual(parseEprtArg("#1#10.0.0.1#65535#"), { host: "10.0.0.1", port: 65535, family: 4 });
  });
  it("reports other address families as unsupported", () => {
    assert.equal(parseEprtArg("|3|1.2.3.4|21|"), "unsupported-family");
    assert.equal(parseEprtArg("|0|1.2.3.4|21|"), "unsupported-family");
    assert.equal(parseEprtArg("|10|whatever|21|"), "unsupported-family");
  });
  for (const arg of [
    "|1|1.2.3.4|0|",
    "|1|1.2.3.4|65536|",
    "|1|256.2.3.4|21|",
    "|1|::1|21|",
    "|2|1.2.3.4|21|",
    "|1|1.2.3.4|21",
    "1|1.2.3.4|21|",
    "|x|1.2.3.4|21|",
    "|1|1.2.3.4|21|extra|",
    "",
    "|||6446|",
  ]) {
    it(`rejects ${JSON.stringify(arg)}`, () => assert.throws(() => parseEprtArg(arg), FtpInvalidArgumentError));
  }
  it("formats and round-trips", () => {
    assert.equal(formatEprtArg({ host: "1.2.3.4", port: 5282 }), "|1|1.2.3.4|5282|");
    assert.equal(formatEprtArg({ host: "::1", port: 5282 }), "|2|::1|5282|");
    assert.equal(formatEprtArg({ host: "::ffff:1.2.3.4", port: 21 }), "|1|1.2.3.4|21|");
    for (const hp of [
      { host: "203.0.113.9", port: 1 },
      { host: "2001:db8::1", port: 65535 },
      { host: "fe80::1", port: 2121 },
    ]) {
      const parsed = parseEprtArg(formatEprtArg(hp));
      assert.notEqual(parsed, "unsupported-family");
      assert.equal((parsed as { host: string }).host, hp.host);
      assert.equal((parsed as { port: number }).port, hp.port);
    }
    assert.throws(() => formatEprtArg({ host: "localhost", port: 21 }), FtpInvalidArgumentError);
    assert.throws(() => formatEprtArg({ host: "::1", port: 0 }), FtpInvalidArgumentError);
  });
});

describe("unmapIPv4", () => {
  it("unmaps only IPv4-mapped IPv6 addresses", () => {
    assert.equal(unmapIPv4("::ffff:1.2.3.4"), "1.2.3.4");
    assert.equal(unmapIPv4("::FFFF:10.0.0.1"), "10.0.0.1");
    assert.equal(unmapIPv4("::1"), "::1");
    assert.equal(unmapIPv4("1.2.3.4"), "1.2.3.4");
    assert.equal(unmapIPv4("::ffff:zzz"), "::ffff:zzz");
  });
});
