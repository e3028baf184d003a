import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ReplyParser, type ReplyParserOptions } from "../../src/protocol/reply-parser.js";
import { FtpLineTooLongError, FtpProtocolError, FtpInvalidOptionError } from "../../src/errors.js";
import { formatReply } from "../../src/protocol/reply-formatter.js";
import type { Reply } from "../../src/protocol/types.js";

function reply(code: number, ...lines: string[]): Reply {
  return { code, lines, message: lines.join("\n") };
}

/** Parse `bytes` cut into the given pieces; returns every reply in order. */
function parseChunks(chunks: Buffer[], options?: ReplyParserOptions): Reply[] {
  const parser = new ReplyParser(options);
  const out: Reply[] = [];
  for (const c of chunks) out.push(...parser.push(c));
  return out;
}

function splitAt(buf: Buffer, cut: number): Buffer[] {
  return [buf.subarray(0, cut), buf.subarray(cut)];
}

function byteByByte(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) out.push(buf.subarray(i, i + 1));
  return out;
}

interface Fixture {
  name: string;
  /** Bytes exactly as a server sends them (latin1 string, so each char is one byte). */
  wire: string;
  expected: Reply[];
  encoding?: "utf8" | "latin1";
  /** formatReply of the expected value gives back exactly `wire`. */
  canonical?: boolean;
  /** Body lines start with digits, so the formatter indents them: no round trip. */
  noTriangle?: boolean;
}

// Every expected value below is written by hand.
const fixtures: Fixture[] = [
  { name: "single line", canonical: true, wire: "200 Command okay.\r\n", expected: [reply(200, "Command okay.")] },
  { name: "code only", wire: "200\r\n", expected: [reply(200, "")] },
  { name: "code and space only", canonical: true, wire: "200 \r\n", expected: [reply(200, "")] },
  { name: "bare LF", wire: "226 Done\n", expected: [reply(226, "Done")] },
  { name: "text keeps inner and trailing spaces", canonical: true, wire: "250  a  b  \r\n", expected: [reply(250, " a  b  ")] },
  { name: "text keeps a lone CR inside", noTriangle: true, wire: "200 a\rb\r\n", expected: [reply(200, "a\rb")] },
  {
    name: "two replies in one chunk, mixed endings",
    wire: "331 Password required\r\n230 Logged in\n",
    expected: [reply(331, "Password required"), reply(230, "Logged in")],
  },
  {
    name: "vsftpd greeting", canonical: true,
    wire: "220 (vsFTPd 3.0.5)\r\n",
    expected: [reply(220, "(vsFTPd 3.0.5)")],
  },
  {
    name: "proftpd greeting", canonical: true,
    wire: "220 ProFTPD Server (Debian) [::ffff:127.0.0.1]\r\n",
    expected: [reply(220, "ProFTPD Server (Debian) [::ffff:127.0.0.1]")],
  },
  {
    name: "multi-line greeting (pure-ftpd style)",
    // Its body lines start with "220-": the formatter would indent them.
    noTriangle: true,
    wire:
      "220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n" +
      "220-You are user number 1 of 50 allowed.\r\n" +
      "220-Local time is now 10:00. Server port: 21.\r\n" +
      "220 You will be disconnected after 15 minutes of inactivity.\r\n",
    expected: [
      reply(
        220,
        "--------- Welcome to Pure-FTPd [privsep] [TLS] ----------",
        "220-You are user number 1 of 50 allowed.",
        "220-Local time is now 10:00. Server port: 21.",
        "You will be disconnected after 15 minutes of inactivity.",
      ),
    ],
  },
  {
    name: "FEAT reply", canonical: true,
    wire: "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MLST type*;size*;modify*;\r\n PASV\r\n REST STREAM\r\n SIZE\r\n UTF8\r\n211 End\r\n",
    expected: [
      reply(211, "Features:", " EPRT", " EPSV", " MDTM", " MLST type*;size*;modify*;", " PASV", " REST STREAM", " SIZE", " UTF8", "End"),
    ],
  },
  {
    name: "RFC 959 example: body lines starting with digits", canonical: true,
    wire: "123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n",
    expected: [reply(123, "First line", "Second line", "  234 A line beginning with numbers", "The last line")],
  },
  {
    name: "body lines that look like other replies",
    noTriangle: true,
    wire: "123-abc\n200 x\n123-abc\n1234 not the end\n123\n123 end\n",
    expected: [reply(123, "abc", "200 x", "123-abc", "1234 not the end", "123", "end")],
  },
  {
    name: "multi-line with empty first, body and last text", canonical: true,
    wire: "211-\r\n\r\n211 \r\n",
    expected: [reply(211, "", "", "")],
  },
  {
    name: "STAT reply followed by another reply", canonical: true,
    wire: "213-Status follows:\r\n-rw-r--r-- 1 ftp ftp 3 Jan 1 00:00 a\r\n213 End of status\r\n226 ok\r\n",
    expected: [reply(213, "Status follows:", "-rw-r--r-- 1 ftp ftp 3 Jan 1 00:00 a", "End of status"), reply(226, "ok")],
  },
  {
    name: "PASV and EPSV replies", canonical: true,
    wire: "227 Entering Passive Mode (127,0,0,1,4,1).\r\n229 Entering Extended Passive Mode (|||6446|)\r\n",
    expected: [reply(227, "Entering Passive Mode (127,0,0,1,4,1)."), reply(229, "Entering Extended Passive Mode (|||6446|)")],
  },
  {
    name: "UTF-8 text (é is C3 A9, 日 is E6 97 A5)", canonical: true,
    wire: "257 \"/caf\xc3\xa9/\xe6\x97\xa5\" created\r\n",
    expected: [reply(257, "\"/café/日\" created")],
  },
  {
    name: "latin1 text (é is E9)", canonical: true,
    wire: "257 \"/caf\xe9\" created\r\n",
    expected: [reply(257, "\"/café\" created")],
    encoding: "latin1",
  },
  {
    name: "blank lines between replies are skipped",
    wire: "\r\n220 hi\r\n\n\r\n200 ok\n",
    expected: [reply(220, "hi"), reply(200, "ok")],
  },
  { name: "protected reply code", canonical: true, wire: "631 base64data\r\n", expected: [reply(631, "base64data")] },
];

describe("ReplyParser fixtures", () => {
  for (const f of fixtures) {
    const wire = Buffer.from(f.wire, "latin1");
    const options = { encoding: f.encoding ?? "utf8" } as const;
    test(`${f.name}: one chunk`, () => {
      assert.deepEqual(parseChunks([wire], options), f.expected);
    });
    test(`${f.name}: split at every offset`, () => {
      for (let cut = 0; cut <= wire.length; cut++) {
        assert.deepEqual(parseChunks(splitAt(wire, cut), options), f.expected, `cut at ${cut}`);
      }
    });
    test(`${f.name}: byte by byte`, () => {
      assert.deepEqual(parseChunks(byteByByte(wire), options), f.expected);
    });
    if (!f.noTriangle) {
      test(`${f.name}: triangle (format the value, parse it again)`, () => {
        const formatted = Buffer.concat(f.expected.map((r) => formatReply(r.code, r.lines, options.encoding)));
        if (f.canonical) assert.deepEqual(formatted, wire);
        assert.deepEqual(parseChunks([formatted], options), f.expected);
      });
    }
  }

  test("UTF-8 character split between chunks is decoded whole", () => {
    const parser = new ReplyParser();
    assert.deepEqual(parser.push(Buffer.from([0x32, 0x35, 0x37, 0x20, 0xc3])), []);
    assert.deepEqual(parser.push(Buffer.from([0xa9, 0x0d, 0x0a])), [reply(257, "é")]);
  });
});

describe("ReplyParser state", () => {
  test("inReply is true between the first and last line of a multi-line reply", () => {
    const parser = new ReplyParser();
    assert.equal(parser.inReply, false);
    parser.push(Buffer.from("211-Features:\r\n"));
    assert.equal(parser.inReply, true);
    parser.push(Buffer.from(" UTF8\r\n"));
    assert.equal(parser.inReply, true);
    assert.deepEqual(parser.push(Buffer.from("211 End\r\n")), [reply(211, "Features:", " UTF8", "End")]);
    assert.equal(parser.inReply, false);
  });

  test("an unfinished line is not a reply, and bufferedBytes counts it", () => {
    const parser = new ReplyParser();
    assert.deepEqual(parser.push(Buffer.from("200 partial")), []);
    assert.equal(parser.bufferedBytes, 11);
    assert.deepEqual(parser.push(Buffer.from("\r\n")), [reply(200, "partial")]);
    assert.equal(parser.bufferedBytes, 0);
  });

  test("reset forgets a partial line and an open reply", () => {
    const parser = new ReplyParser();
    parser.push(Buffer.from("211-Features:\r\n EPSV\r\n211 E"));
    parser.reset();
    assert.equal(parser.inReply, false);
    assert.equal(parser.bufferedBytes, 0);
    assert.deepEqual(parser.push(Buffer.from("200 ok\r\n")), [reply(200, "ok")]);
  });

  test("encoding switch applies to lines decoded afterwards", () => {
    const parser = new ReplyParser({ encoding: "latin1" });
    assert.deepEqual(parser.push(Buffer.from("200 \xe9\r\n", "latin1")), [reply(200, "é")]);
    parser.encoding = "utf8";
    assert.deepEqual(parser.push(Buffer.from("200 \xc3\xa9\r\n", "latin1")), [reply(200, "é")]);
  });

  test("an empty chunk changes nothing", () => {
    const parser = new ReplyParser();
    assert.deepEqual(parser.push(Buffer.alloc(0)), []);
    assert.equal(parser.bufferedBytes, 0);
  });
});

describe("ReplyParser protocol errors", () => {
  const bad: Array<[string, string]> = [
    ["letters", "hello\r\n"],
    ["two digits", "20 ok\r\n"],
    ["code followed by a letter", "200x\r\n"],
    ["first digit 0", "099 x\r\n"],
    ["first digit 7", "700 x\r\n"],
    ["spaces only", "  \r\n"],
    ["leading space", " 200 ok\r\n"],
    ["tab separator", "200\tok\r\n"],
  ];
  for (const [name, wire] of bad) {
    test(`${name} outside a reply is an FtpProtocolError`, () => {
      const parser = new ReplyParser();
      assert.throws(() => parser.push(Buffer.from(wire, "latin1")), (err: unknown) => {
        assert.ok(err instanceof FtpProtocolError);
        assert.equal(err.code, "ERR_FTP_PROTOCOL");
        return true;
      });
    });
  }

  test("after an error the parser starts clean", () => {
    const parser = new ReplyParser();
    assert.throws(() => parser.push(Buffer.from("junk\r\n200 lost\r\n")), FtpProtocolError);
    assert.deepEqual(parser.push(Buffer.from("200 ok\r\n")), [reply(200, "ok")]);
  });
});

describe("ReplyParser limits", () => {
  test("a line of exactly maxLineLength bytes passes, with CRLF, LF, and CR split off", () => {
    const line = "200 " + "a".repeat(12); // 16 bytes
    for (const ending of ["\r\n", "\n"]) {
      const wire = Buffer.from(line + ending);
      for (let cut = 0; cut <= wire.length; cut++) {
        assert.deepEqual(parseChunks(splitAt(wire, cut), { maxLineLength: 16 }), [reply(200, "a".repeat(12))]);
      }
    }
  });

  test("a line one byte over maxLineLength throws FtpLineTooLongError", () => {
    const wire = Buffer.from("200 " + "a".repeat(13) + "\r\n");
    for (let cut = 0; cut <= wire.length; cut++) {
      assert.throws(
        () => parseChunks(splitAt(wire, cut), { maxLineLength: 16 }),
        (err: unknown) => err instanceof FtpLineTooLongError && err.code === "ERR_FTP_LINE_TOO_LONG" && err.limit === 16,
        `cut at ${cut}`,
      );
    }
  });

  test("16 bytes then CR then a non-LF byte is too long", () => {
    const parser = new ReplyParser({ maxLineLength: 16 });
    parser.push(Buffer.from("200 " + "a".repeat(12) + "\r"));
    assert.equal(parser.bufferedBytes, 16);
    assert.throws(() => parser.push(Buffer.from("b\r\n")), FtpLineTooLongError);
  });

  test("an endless line throws as soon as it passes the limit, without buffering it", () => {
    const parser = new ReplyParser({ maxLineLength: 100 });
    parser.push(Buffer.from("200 " + "x".repeat(90)));
    assert.equal(parser.bufferedBytes, 94);
    assert.throws(() => parser.push(Buffer.alloc(1000, 0x78)), FtpLineTooLongError);
    assert.equal(parser.bufferedBytes, 0);
  });

  test("the default line limit is 8192 bytes", () => {
    const parser = new ReplyParser();
    assert.equal(parser.maxLineLength, 8192);
    assert.deepEqual(parser.push(Buffer.from("200 " + "a".repeat(8188) + "\r\n")), [reply(200, "a".repeat(8188))]);
    assert.throws(() => parser.push(Buffer.from("200 " + "a".repeat(8189) + "\r\n")), FtpLineTooLongError);
  });

  test("a multi-line reply with more lines than maxReplyLines throws", () => {
    const ok = "211-a\r\nb\r\nc\r\n211 d\r\n"; // 4 lines
    assert.deepEqual(parseChunks([Buffer.from(ok)], { maxReplyLines: 4 }), [reply(211, "a", "b", "c", "d")]);
    assert.throws(
      () => parseChunks([Buffer.from("211-a\r\nb\r\nc\r\nd\r\n211 e\r\n")], { maxReplyLines: 4 }),
      (err: unknown) => err instanceof FtpLineTooLongError && err.limit === 4 && /4 lines/.test(err.message),
    );
  });

  test("the line limit throws before the terminating line arrives", () => {
    const parser = new ReplyParser({ maxReplyLines: 3 });
    parser.push(Buffer.from("211-a\r\nb\r\n"));
    assert.throws(() => parser.push(Buffer.from("c\r\n")), FtpLineTooLongError);
  });

  test("a multi-line reply with more bytes than maxReplyBytes throws", () => {
    // "211-a\r\n" (7) + "bb\r\n" (4) + "211 c\r\n" (7) = 18 bytes
    const wire = Buffer.from("211-a\r\nbb\r\n211 c\r\n");
    assert.deepEqual(parseChunks([wire], { maxReplyBytes: 18 }), [reply(211, "a", "bb", "c")]);
    assert.throws(
      () => parseChunks([wire], { maxReplyBytes: 17 }),
      (err: unknown) => err instanceof FtpLineTooLongError && err.limit === 17,
    );
  });

  test("replyBytes tracks the open reply and stays within maxReplyBytes", () => {
    const parser = new ReplyParser({ maxReplyBytes: 20 });
    parser.push(Buffer.from("211-a\r\nbb\n"));
    assert.equal(parser.replyBytes, 10);
    assert.throws(() => parser.push(Buffer.from("cccccccccccc\r\n")), FtpLineTooLongError);
    assert.equal(parser.replyBytes, 0);
  });

  test("a body line over maxLineLength inside a multi-line reply throws", () => {
    const parser = new ReplyParser({ maxLineLength: 16 });
    assert.deepEqual(parser.push(Buffer.from("211-Features:\r\n")), []);
    assert.deepEqual(parser.push(Buffer.from(" " + "X".repeat(15) + "\r\n")), []);
    assert.throws(() => parser.push(Buffer.from(" " + "X".repeat(16) + "\r\n")), FtpLineTooLongError);
    assert.equal(parser.inReply, false);
  });

  test("maxReplyLines 1 refuses any multi-line reply but accepts single lines", () => {
    assert.deepEqual(parseChunks([Buffer.from("200 ok\r\n")], { maxReplyLines: 1 }), [reply(200, "ok")]);
    assert.throws(() => parseChunks([Buffer.from("211-a\r\n")], { maxReplyLines: 1 }), FtpLineTooLongError);
  });

  test("invalid options are refused at construction", () => {
    assert.throws(() => new ReplyParser({ maxLineLength: 0 }), FtpInvalidOptionError);
    assert.throws(() => new ReplyParser({ maxReplyLines: 1.5 }), FtpInvalidOptionError);
    assert.throws(() => new ReplyParser({ maxReplyBytes: -1 }), FtpInvalidOptionError);
    assert.throws(() => new ReplyParser({ encoding: "ascii" as "utf8" }), FtpInvalidOptionError);
  });
});
