import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CommandParser, type CommandParserOptions } from "../../src/protocol/command-parser.js";
import { FtpInvalidOptionError } from "../../src/errors.js";
import type { CommandLine } from "../../src/protocol/types.js";

function cmd(verb: string, arg = "", urgent = false): CommandLine {
  return { kind: "command", command: { verb, arg, urgent } };
}
function tooLong(limit: number): CommandLine {
  return { kind: "too-long", limit };
}

function parseChunks(chunks: Buffer[], options?: CommandParserOptions): CommandLine[] {
  const parser = new CommandParser(options);
  const out: CommandLine[] = [];
  for (const c of chunks) out.push(...parser.push(c));
  return out;
}

function splits(buf: Buffer): Array<{ label: string; chunks: Buffer[] }> {
  const out: Array<{ label: string; chunks: Buffer[] }> = [];
  for (let cut = 0; cut <= buf.length; cut++) {
    out.push({ label: `cut at ${cut}`, chunks: [buf.subarray(0, cut), buf.subarray(cut)] });
  }
  const bytes: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) bytes.push(buf.subarray(i, i + 1));
  out.push({ label: "byte by byte", chunks: bytes });
  return out;
}

interface Fixture {
  name: string;
  /** Bytes exactly as a client sends them (latin1 string: one char per byte). */
  wire: string;
  expected: CommandLine[];
  options?: CommandParserOptions;
}

// Every expected value below is written by hand.
const fixtures: Fixture[] = [
  { name: "verb only", wire: "PWD\r\n", expected: [cmd("PWD")] },
  { name: "verb and argument", wire: "USER anonymous\r\n", expected: [cmd("USER", "anonymous")] },
  { name: "lower-case verb is upper-cased", wire: "retr file.txt\r\n", expected: [cmd("RETR", "file.txt")] },
  { name: "mixed-case verb", wire: "XpWd\r\n", expected: [cmd("XPWD")] },
  { name: "bare LF", wire: "NOOP\n", expected: [cmd("NOOP")] },
  {
    name: "argument kept byte-exact: leading, inner and trailing spaces",
    wire: "STOR   a  b  \r\n",
    expected: [cmd("STOR", "  a  b  ")],
  },
  { name: "argument with a lone CR inside", wire: "STOR a\rb\r\n", expected: [cmd("STOR", "a\rb")] },
  { name: "argument ending in CR CR", wire: "STOR a\r\r\n", expected: [cmd("STOR", "a\r")] },
  { name: "verb followed by one space: empty argument", wire: "LIST \r\n", expected: [cmd("LIST", "")] },
  { name: "SITE with sub-command", wire: "SITE CHMOD 755 a.txt\r\n", expected: [cmd("SITE", "CHMOD 755 a.txt")] },
  { name: "empty lines are ignored", wire: "\r\n\n\r\nNOOP\r\n\r\n", expected: [cmd("NOOP")] },
  {
    name: "several commands in one chunk",
    wire: "USER bob\r\nPASS secret\r\nSYST\n",
    expected: [cmd("USER", "bob"), cmd("PASS", "secret"), cmd("SYST")],
  },
  { name: "UTF-8 argument (é is C3 A9)", wire: "MKD caf\xc3\xa9\r\n", expected: [cmd("MKD", "café")] },
  {
    name: "latin1 argument (é is E9)",
    wire: "MKD caf\xe9\r\n",
    expected: [cmd("MKD", "café")],
    options: { encoding: "latin1" },
  },
  {
    name: "urgent ABOR: IAC IP IAC DM before the verb",
    wire: "\xff\xf4\xff\xf2ABOR\r\n",
    expected: [cmd("ABOR", "", true)],
  },
  {
    name: "urgent ABOR whose DM was taken out of band: IAC IP IAC then the verb",
    wire: "\xff\xf4\xffABOR\r\n",
    expected: [cmd("ABOR", "", true)],
  },
  { name: "IAC DM alone makes the line urgent", wire: "\xff\xf2ABOR\r\n", expected: [cmd("ABOR", "", true)] },
  { name: "urgent does not leak into the next line", wire: "\xff\xf4ABOR\r\nNOOP\r\n", expected: [cmd("ABOR", "", true), cmd("NOOP")] },
  {
    name: "IAC IAC is one literal 0xFF byte (latin1 ÿ)",
    wire: "STOR a\xff\xffb\r\n",
    expected: [cmd("STOR", "a\u00ffb")],
    options: { encoding: "latin1" },
  },
  {
    name: "IAC NOP, AYT, AO, EC, EL, GA, BRK, SE, SB are dropped and not urgent",
    wire: "N\xff\xf1O\xff\xf6O\xff\xf5P\xff\xf7\xff\xf8\xff\xf9\xff\xf3\xff\xf0\xff\xfa\r\n",
    expected: [cmd("NOOP")],
  },
  {
    name: "option negotiation WILL/WONT/DO/DONT takes the option byte with it",
    wire: "\xff\xfb\x01NO\xff\xfc\x18O\xff\xfd\x03P\xff\xfe\xff\r\n",
    expected: [cmd("NOOP")],
  },
  {
    name: "IAC before a plain byte: the IAC is dropped, the byte kept",
    wire: "NO\xffOP\r\n",
    expected: [cmd("NOOP")],
  },
  {
    name: "LF ends the line even inside a Telnet sequence",
    wire: "NOOP\xff\nSYST\xff\xfb\nPWD\r\n",
    expected: [cmd("NOOP"), cmd("SYST"), cmd("PWD")],
  },
  {
    name: "Telnet-only line is empty and ignored",
    wire: "\xff\xf4\xff\xf2\r\nSTAT\r\n",
    expected: [cmd("STAT")],
  },
  {
    name: "line too long, then a normal line",
    wire: "STOR abcdefghij\r\nNOOP\r\n",
    expected: [tooLong(8), cmd("NOOP")],
    options: { maxLineLength: 8 },
  },
  {
    name: "line exactly at the limit (CRLF not counted)",
    wire: "STOR abc\r\nSTOR abcd\r\n",
    expected: [cmd("STOR", "abc"), tooLong(8)],
    options: { maxLineLength: 8 },
  },
  {
    name: "line exactly at the limit with a bare LF",
    wire: "STOR abc\nSTOR abcd\n",
    expected: [cmd("STOR", "abc"), tooLong(8)],
    options: { maxLineLength: 8 },
  },
  {
    name: "limit counts bytes after Telnet stripping",
    wire: "ST\xff\xf1\xff\xf1OR abc\r\n",
    expected: [cmd("STOR", "abc")],
    options: { maxLineLength: 8 },
  },
  {
    name: "limit: 8 bytes, CR, then more bytes is too long",
    wire: "STOR abc\rd\r\nPWD\r\n",
    expected: [tooLong(8), cmd("PWD")],
    options: { maxLineLength: 8 },
  },
  {
    name: "limit: IAC IAC counts as one byte",
    wire: "STOR a\xff\xffc\r\n",
    expected: [cmd("STOR", "a\u00ffc")],
    options: { maxLineLength: 8, encoding: "latin1" },
  },
  {
    name: "a too-long line ending the input: reported once, nothing more",
    wire: "NOOP\r\nSTOR abcdefghijklmnop",
    expected: [cmd("NOOP"), tooLong(8)],
    options: { maxLineLength: 8 },
  },
];

describe("CommandParser fixtures", () => {
  for (const f of fixtures) {
    const wire = Buffer.from(f.wire, "latin1");
    test(`${f.name}: one chunk`, () => {
      assert.deepEqual(parseChunks([wire], f.options), f.expected);
    });
    test(`${f.name}: every split offset and byte by byte`, () => {
      for (const { label, chunks } of splits(wire)) {
        assert.deepEqual(parseChunks(chunks, f.options), f.expected, label);
      }
    });
  }
});

describe("CommandParser behaviour", () => {
  test("a too-long line is discarded without buffering, and reported once", () => {
    const parser = new CommandParser({ maxLineLength: 16 });
    assert.deepEqual(parser.push(Buffer.from("STOR " + "a".repeat(11))), []);
    assert.equal(parser.bufferedBytes, 16);
    assert.deepEqual(parser.push(Buffer.from("b")), [tooLong(16)]);
    assert.equal(parser.bufferedBytes, 0);
    for (let i = 0; i < 100; i++) {
      assert.deepEqual(parser.push(Buffer.alloc(1000, 0x61)), []);
      assert.equal(parser.bufferedBytes, 0);
    }
    assert.deepEqual(parser.push(Buffer.from("xyz\r\nPWD\r\n")), [cmd("PWD")]);
  });

  test("the default limit is 4096 bytes", () => {
    const parser = new CommandParser();
    assert.equal(parser.maxLineLength, 4096);
    const arg = "a".repeat(4096 - 5);
    assert.deepEqual(parser.push(Buffer.from(`STOR ${arg}\r\n`)), [cmd("STOR", arg)]);
    assert.deepEqual(parser.push(Buffer.from(`STOR ${arg}a\r\n`)), [tooLong(4096)]);
  });

  test("IAC at the end of one chunk and its command byte in the next", () => {
    const parser = new CommandParser();
    assert.deepEqual(parser.push(Buffer.from([0xff])), []);
    assert.deepEqual(parser.push(Buffer.from([0xf4, 0xff])), []);
    assert.deepEqual(parser.push(Buffer.from([0xf2])), []);
    assert.deepEqual(parser.push(Buffer.from("ABOR\r\n")), [cmd("ABOR", "", true)]);
  });

  test("IAC DO at the end of a chunk and its option byte in the next", () => {
    const parser = new CommandParser();
    assert.deepEqual(parser.push(Buffer.from([0x4e, 0xff, 0xfd])), []);
    assert.deepEqual(parser.push(Buffer.from([0x41, 0x4f, 0x4f, 0x50, 0x0a])), [cmd("NOOP")]);
  });

  test("encoding switch applies to the following lines", () => {
    const parser = new CommandParser({ encoding: "latin1" });
    assert.deepEqual(parser.push(Buffer.from("MKD \xe9\r\n", "latin1")), [cmd("MKD", "é")]);
    parser.encoding = "utf8";
    assert.deepEqual(parser.push(Buffer.from("MKD \xc3\xa9\r\n", "latin1")), [cmd("MKD", "é")]);
  });

  test("reset drops a partial line, Telnet state and discard mode", () => {
    const parser = new CommandParser({ maxLineLength: 4, encoding: "latin1" });
    parser.push(Buffer.from("STORE"));
    parser.reset();
    assert.deepEqual(parser.push(Buffer.from("PWD\r\n")), [cmd("PWD")]);
    // Without reset, 0xF4 would complete IAC IP; after it, it is a plain byte (latin1 ô).
    parser.push(Buffer.from("PW\xff", "latin1"));
    parser.reset();
    assert.equal(parser.bufferedBytes, 0);
    assert.deepEqual(parser.push(Buffer.from([0xf4, 0x0d, 0x0a])), [cmd("Ô")]);
  });

  test("invalid options are refused at construction", () => {
    assert.throws(() => new CommandParser({ maxLineLength: 0 }), FtpInvalidOptionError);
    assert.throws(() => new CommandParser({ maxLineLength: Number.NaN }), FtpInvalidOptionError);
    assert.throws(() => new CommandParser({ encoding: "utf16le" as "utf8" }), FtpInvalidOptionError);
  });
});
