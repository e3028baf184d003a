import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  formatEpsvReplyText,
  formatFeatLines,
  formatMlstFeature,
  formatMlstOptsReply,
  formatPasvReplyText,
  parseFeatReply,
  parseMlstFeature,
  parseMlstOptions,
} from "../../src/protocol/features.js";
import { parseEpsvReply, parsePasvReply } from "../../src/protocol/host-port.js";
import { formatReply } from "../../src/protocol/reply-formatter.js";
import { ReplyParser } from "../../src/protocol/reply-parser.js";
import { FtpInvalidArgumentError } from "../../src/errors.js";

function reply(code: number, lines: string[]) {
  return { code, lines, message: lines.join("\n") };
}

describe("FEAT", () => {
  test("parses RFC 2389's example: names upper-cased, parameters kept, first and last line skipped", () => {
    const features = parseFeatReply(reply(211, ["Extensions supported:", " MLST size*;create;modify*;perm;media-type", " SIZE", " COMPRESSION", " mdtm", " REST STREAM", "END"]));
    assert.deepEqual([...features], [
      ["MLST", "size*;create;modify*;perm;media-type"],
      ["SIZE", ""],
      ["COMPRESSION", ""],
      ["MDTM", ""],
      ["REST", "STREAM"],
    ]);
  });

  test("a server without FEAT (500/502) or a one-line 211 announces nothing", () => {
    assert.equal(parseFeatReply(reply(502, ["Command not implemented."])).size, 0);
    assert.equal(parseFeatReply(reply(211, ["no features"])).size, 0);
  });

  test("formatted lines, written out by hand: sorted, each once, with the leading space", () => {
    assert.deepEqual(formatFeatLines(["UTF8", "EPSV", "MLST type*;size*;", "EPSV"]), ["Features:", " EPSV", " MLST type*;size*;", " UTF8", "End"]);
    assert.deepEqual(formatFeatLines([]), ["Features:", "End"]);
  });

  test("triangle: format → reply bytes → reply parser → parseFeatReply gives back the features", () => {
    const lines = formatFeatLines(["AUTH TLS", "PBSZ", "REST STREAM", "MLST type*;size;"]);
    const bytes = formatReply(211, lines);
    assert.equal(bytes.toString("latin1"), "211-Features:\r\n AUTH TLS\r\n MLST type*;size;\r\n PBSZ\r\n REST STREAM\r\n211 End\r\n");
    const [parsed] = new ReplyParser().push(bytes);
    assert.deepEqual([...parseFeatReply(parsed!)], [["AUTH", "TLS"], ["MLST", "type*;size;"], ["PBSZ", ""], ["REST", "STREAM"]]);
  });
});

describe("MLST facts", () => {
  const supported = ["type", "size", "modify", "perm", "unix.mode"];

  test("the feature parameters mark the enabled facts with * (RFC 3659 §7.8)", () => {
    assert.equal(formatMlstFeature(supported, ["type", "modify"]), "type*;size;modify*;perm;unix.mode;");
    assert.deepEqual(parseMlstFeature("Type*;size;modify*;"), [
      { name: "type", enabled: true },
      { name: "size", enabled: false },
      { name: "modify", enabled: true },
    ]);
  });

  test("OPTS MLST selects case-insensitively, ignores unknown facts and repeats, keeps the order asked", () => {
    assert.deepEqual(parseMlstOptions("SIZE;bogus; type ;size;", supported), ["size", "type"]);
    assert.deepEqual(parseMlstOptions("", supported), []);
    assert.equal(formatMlstOptsReply(["size", "type"]), "MLST OPTS size;type;");
    assert.equal(formatMlstOptsReply([]), "MLST OPTS ");
  });
});

describe("passive reply texts", () => {
  test("229 and 227 texts, written out by hand, parse back", () => {
    assert.equal(formatEpsvReplyText(6446), "Entering Extended Passive Mode (|||6446|)");
    assert.equal(parseEpsvReply(formatEpsvReplyText(6446)), 6446);
    assert.equal(formatPasvReplyText({ host: "192.0.2.7", port: 1025 }), "Entering Passive Mode (192,0,2,7,4,1)");
    assert.deepEqual(parsePasvReply(formatPasvReplyText({ host: "192.0.2.7", port: 1025 })), { host: "192.0.2.7", port: 1025, family: 4 });
  });

  test("a port out of range is refused before any text exists", () => {
    assert.throws(() => formatEpsvReplyText(0), FtpInvalidArgumentError);
    assert.throws(() => formatEpsvReplyText(65536), FtpInvalidArgumentError);
  });
});
