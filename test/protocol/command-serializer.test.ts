import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { serializeCommand, redactCommand, TELNET_ABORT_PREFIX } from "../../src/protocol/command-serializer.js";
import { CommandParser } from "../../src/protocol/command-parser.js";
import { FtpError, FtpInvalidArgumentError } from "../../src/errors.js";

/** Hand-written bytes from a latin1 string (one char per byte). */
function bytes(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

interface Fixture {
  verb: string;
  arg?: string;
  encoding?: "utf8" | "latin1";
  wire: string;
  /** What a server parses back: verb upper-cased, arg byte-exact. */
  parsed: { verb: string; arg: string };
}

// Expected bytes written by hand.
const fixtures: Fixture[] = [
  { verb: "PWD", wire: "PWD\r\n", parsed: { verb: "PWD", arg: "" } },
  { verb: "LIST", arg: "", wire: "LIST\r\n", parsed: { verb: "LIST", arg: "" } },
  { verb: "USER", arg: "anonymous", wire: "USER anonymous\r\n", parsed: { verb: "USER", arg: "anonymous" } },
  { verb: "retr", arg: "a.txt", wire: "RETR a.txt\r\n", parsed: { verb: "RETR", arg: "a.txt" } },
  { verb: "STOR", arg: " lead and trail ", wire: "STOR  lead and trail \r\n", parsed: { verb: "STOR", arg: " lead and trail " } },
  { verb: "SITE", arg: "CHMOD 755 x", wire: "SITE CHMOD 755 x\r\n", parsed: { verb: "SITE", arg: "CHMOD 755 x" } },
  { verb: "XPWD", wire: "XPWD\r\n", parsed: { verb: "XPWD", arg: "" } },
  { verb: "MKD", arg: "café", wire: "MKD caf\xc3\xa9\r\n", parsed: { verb: "MKD", arg: "café" } },
  { verb: "MKD", arg: "café", encoding: "latin1", wire: "MKD caf\xe9\r\n", parsed: { verb: "MKD", arg: "café" } },
  { verb: "STOR", arg: "ÿ", encoding: "latin1", wire: "STOR \xff\xff\r\n", parsed: { verb: "STOR", arg: "ÿ" } },
  { verb: "STOR", arg: "aÿbÿÿ", encoding: "latin1", wire: "STOR a\xff\xffb\xff\xff\xff\xff\r\n", parsed: { verb: "STOR", arg: "aÿbÿÿ" } },
  { verb: "STOR", arg: "ÿ", encoding: "utf8", wire: "STOR \xc3\xbf\r\n", parsed: { verb: "STOR", arg: "ÿ" } },
  { verb: "EPRT", arg: "|2|::1|5282|", wire: "EPRT |2|::1|5282|\r\n", parsed: { verb: "EPRT", arg: "|2|::1|5282|" } },
];

describe("serializeCommand fixtures (triangle)", () => {
  for (const f of fixtures) {
    const enc = f.encoding ?? "utf8";
    test(`${f.verb} ${JSON.stringify(f.arg)} (${enc})`, () => {
      const out = serializeCommand(f.verb, f.arg, enc);
      assert.ok(Buffer.isBuffer(out));
      assert.deepEqual(out, bytes(f.wire));
      const parser = new CommandParser({ encoding: enc });
      assert.deepEqual(parser.push(out), [{ kind: "command", command: { ...f.parsed, urgent: false } }]);
      // Parsing the hand-written wire gives the same value as parsing what we produced.
      const again = new CommandParser({ encoding: enc });
      assert.deepEqual(again.push(bytes(f.wire)), [{ kind: "command", command: { ...f.parsed, urgent: false } }]);
    });
  }

  test("default encoding is UTF-8", () => {
    assert.deepEqual(serializeCommand("CWD", "日"), bytes("CWD \xe6\x97\xa5\r\n"));
  });
});

describe("serializeCommand refuses unsafe input", () => {
  const unsafe: Array<[string, string]> = [
    ["CR", "a\rb"],
    ["LF", "a\nDELE b"],
    ["NUL", "a\0b"],
    ["CRLF at the end", "file\r\n"],
  ];
  for (const [name, arg] of unsafe) {
    test(`${name} in the argument`, () => {
      assert.throws(
        () => serializeCommand("STOR", arg),
        (err: unknown) => {
          assert.ok(err instanceof FtpInvalidArgumentError);
          assert.ok(err instanceof FtpError);
          assert.equal(err.code, "ERR_FTP_INVALID_ARGUMENT");
          return true;
        },
      );
    });
  }

  test("the error for PASS does not reveal the password", () => {
    assert.throws(
      () => serializeCommand("PASS", "hunter2\r\nDELE x"),
      (err: unknown) => {
        assert.ok(err instanceof FtpInvalidArgumentError);
        assert.ok(!err.message.includes("hunter2"));
        assert.equal(err.command, "PASS ***");
        return true;
      },
    );
  });

  test("latin1 refuses characters it cannot carry (\\u010a would become LF)", () => {
    assert.throws(() => serializeCommand("STOR", "a\u010ab", "latin1"), FtpInvalidArgumentError);
    assert.throws(() => serializeCommand("STOR", "日", "latin1"), FtpInvalidArgumentError);
    // UTF-8 encodes it as C4 8A: no LF byte appears.
    assert.deepEqual(serializeCommand("STOR", "a\u010ab"), bytes("STOR a\xc4\x8ab\r\n"));
  });

  const badVerbs = ["", "ST OR", "RETR\r\n", "3TR", "X-SHA", "NOOP\0", "é", "A".repeat(17), "STOR "];
  for (const verb of badVerbs) {
    test(`verb ${JSON.stringify(verb)} is refused`, () => {
      assert.throws(() => serializeCommand(verb), (err: unknown) => err instanceof FtpInvalidArgumentError && err.code === "ERR_FTP_INVALID_ARGUMENT");
    });
  }

  test("verbs of 1 to 16 letters are accepted", () => {
    assert.deepEqual(serializeCommand("a"), bytes("A\r\n"));
    // Extensions with digits (proftpd mod_digest, Serv-U).
    assert.deepEqual(serializeCommand("xsha256", "a.txt"), bytes("XSHA256 a.txt\r\n"));
    assert.deepEqual(serializeCommand("ABCDEFGHIJKLMNOP"), bytes("ABCDEFGHIJKLMNOP\r\n"));
  });
});

describe("redactCommand", () => {
  const cases: Array<[string, string | undefined, string]> = [
    ["PASS", "hunter2", "PASS ***"],
    ["pass", "hunter2", "PASS ***"],
    ["PASS", undefined, "PASS ***"],
    ["ACCT", "acct-secret", "ACCT ***"],
    ["USER", "bob", "USER bob"],
    ["LIST", undefined, "LIST"],
    ["LIST", "", "LIST"],
    ["retr", "a b", "RETR a b"],
  ];
  for (const [verb, arg, expected] of cases) {
    test(`${verb} ${String(arg)} → ${expected}`, () => {
      assert.equal(redactCommand(verb, arg), expected);
    });
  }
});

test("TELNET_ABORT_PREFIX is IAC IP IAC DM, and the parser reads it as urgent", () => {
  assert.deepEqual(TELNET_ABORT_PREFIX, Buffer.from([0xff, 0xf4, 0xff, 0xf2]));
  const parser = new CommandParser();
  const wire = Buffer.concat([TELNET_ABORT_PREFIX, serializeCommand("ABOR")]);
  assert.deepEqual(parser.push(wire), [{ kind: "command", command: { verb: "ABOR", arg: "", urgent: true } }]);
});
