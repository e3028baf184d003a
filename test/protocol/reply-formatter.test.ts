import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatReply, formatReplyString } from "../../src/protocol/reply-formatter.js";
import { ReplyParser } from "../../src/protocol/reply-parser.js";
import { FtpInvalidArgumentError } from "../../src/errors.js";
import type { Reply } from "../../src/protocol/types.js";

function reply(code: number, ...lines: string[]): Reply {
  return { code, lines, message: lines.join("\n") };
}

interface Fixture {
  name: string;
  code: number;
  text?: string | readonly string[];
  /** Hand-written wire bytes (latin1 string, one char per byte; UTF-8 spelled out). */
  wire: string;
  /** What a client parses back. */
  parsed: Reply;
}

// Expected bytes and values written by hand.
const fixtures: Fixture[] = [
  { name: "default text", code: 200, wire: "200 Command okay.\r\n", parsed: reply(200, "Command okay.") },
  { name: "default 221", code: 221, wire: "221 Service closing control connection.\r\n", parsed: reply(221, "Service closing control connection.") },
  { name: "own text", code: 230, text: "Welcome, bob.", wire: "230 Welcome, bob.\r\n", parsed: reply(230, "Welcome, bob.") },
  { name: "empty text", code: 200, text: "", wire: "200 \r\n", parsed: reply(200, "") },
  { name: "one-element array is single-line", code: 226, text: ["Done"], wire: "226 Done\r\n", parsed: reply(226, "Done") },
  {
    name: "string with LF is multi-line",
    code: 214,
    text: "The following commands are recognized.\n USER PASS\nHelp OK.",
    wire: "214-The following commands are recognized.\r\n USER PASS\r\n214 Help OK.\r\n",
    parsed: reply(214, "The following commands are recognized.", " USER PASS", "Help OK."),
  },
  {
    name: "FEAT",
    code: 211,
    text: ["Features:", " EPSV", " MLST type*;size*;modify*;", " UTF8", "End"],
    wire: "211-Features:\r\n EPSV\r\n MLST type*;size*;modify*;\r\n UTF8\r\n211 End\r\n",
    parsed: reply(211, "Features:", " EPSV", " MLST type*;size*;modify*;", " UTF8", "End"),
  },
  {
    name: "two lines: first and last only",
    code: 220,
    text: ["Welcome", "Ready"],
    wire: "220-Welcome\r\n220 Ready\r\n",
    parsed: reply(220, "Welcome", "Ready"),
  },
  {
    name: "body lines starting with three digits are indented",
    code: 211,
    text: ["Status:", "211 fake end", "123-abc", "12 two digits", "End"],
    wire: "211-Status:\r\n 211 fake end\r\n 123-abc\r\n12 two digits\r\n211 End\r\n",
    parsed: reply(211, "Status:", " 211 fake end", " 123-abc", "12 two digits", "End"),
  },
  {
    name: "CR and NUL are removed; LF inside an array element too",
    code: 550,
    text: "a\rb\0c",
    wire: "550 abc\r\n",
    parsed: reply(550, "abc"),
  },
  {
    name: "injection attempt in an array element stays on one line",
    code: 257,
    text: ['"/x\r\n230 Logged in"', "created"],
    wire: '257-"/x230 Logged in"\r\n257 created\r\n',
    parsed: reply(257, '"/x230 Logged in"', "created"),
  },
  {
    name: "injection attempt in a string becomes body lines",
    code: 550,
    text: "no\r\n230 ok\r\nfine",
    wire: "550-no\r\n 230 ok\r\n550 fine\r\n",
    parsed: reply(550, "no", " 230 ok", "fine"),
  },
  {
    name: "UTF-8 text",
    code: 257,
    text: '"/café" created',
    wire: '257 "/caf\xc3\xa9" created\r\n',
    parsed: reply(257, '"/café" created'),
  },
  { name: "empty array uses default text", code: 502, text: [], wire: "502 Command not implemented.\r\n", parsed: reply(502, "Command not implemented.") },
  { name: "code not in the table: generic text", code: 299, wire: "299 Action completed.\r\n", parsed: reply(299, "Action completed.") },
];

describe("formatReply fixtures (triangle)", () => {
  for (const f of fixtures) {
    test(f.name, () => {
      const wire = Buffer.from(f.wire, "latin1");
      const out = formatReply(f.code, f.text);
      assert.deepEqual(out, wire);
      assert.equal(formatReplyString(f.code, f.text), wire.toString("utf8"));
      // bytes → value
      assert.deepEqual(new ReplyParser().push(wire), [f.parsed]);
      // value → bytes → same value (the parsed lines are the canonical form)
      const again = formatReply(f.parsed.code, f.parsed.lines);
      assert.deepEqual(new ReplyParser().push(again), [f.parsed]);
    });
  }
});

describe("formatReply", () => {
  test("latin1 encoding", () => {
    assert.deepEqual(formatReply(257, '"/café"', "latin1"), Buffer.from('257 "/caf\xe9"\r\n', "latin1"));
  });

  test("latin1 turns characters it cannot carry into '?' (never a stray LF)", () => {
    // \u010a would be 0x0A (LF) if Buffer kept its low byte; 😀 is one code point.
    assert.deepEqual(formatReply(550, "a\u010ab😀", "latin1"), Buffer.from("550 a?b?\r\n", "latin1"));
  });

  test("invalid codes are refused", () => {
    for (const code of [99, 700, 200.5, Number.NaN]) {
      assert.throws(() => formatReply(code), FtpInvalidArgumentError);
    }
  });

  test("no line of any output contains CR or LF except as its CRLF ending", () => {
    const nasty = ["\r", "\n", "\r\n", "\n\r", "x\ry\nz", "\0", "200 x", "\r\n200 y"];
    for (const a of nasty) {
      for (const b of nasty) {
        for (const text of [a + b, [a, b], [a, "mid", b]]) {
          const s = formatReplyString(500, text);
          assert.ok(s.endsWith("\r\n"));
          const lines = s.slice(0, -2).split("\r\n");
          for (const line of lines) {
            assert.ok(!/[\r\n\0]/.test(line), JSON.stringify(s));
          }
          const parsed = new ReplyParser().push(Buffer.from(s));
          assert.equal(parsed.length, 1, JSON.stringify(s));
          assert.equal(parsed[0]?.code, 500);
        }
      }
    }
  });
});
