/**
 * Property tests for the control-channel codecs: chunking never changes a
 * result, random bytes only ever raise FtpError subclasses, buffers never
 * grow past their limits, and serializers round-trip through the parsers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ReplyParser } from "../../src/protocol/reply-parser.js";
import { CommandParser } from "../../src/protocol/command-parser.js";
import { formatReply } from "../../src/protocol/reply-formatter.js";
import { serializeCommand } from "../../src/protocol/command-serializer.js";
import { FtpError, FtpInvalidArgumentError } from "../../src/errors.js";
import type { CommandLine, Reply } from "../../src/protocol/types.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);

/** Cut `buf` at the given offsets (any order, duplicates allowed). */
function cut(buf: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(buf.subarray(last, p));
    last = p;
  }
  out.push(buf.subarray(last));
  return out;
}

const offsets = fc.array(fc.nat({ max: 100_000 }), { maxLength: 12 });

/** Bytes that look like FTP traffic often enough to reach every parser state. */
const ftpishBytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.constantFrom(
        "\r\n",
        "\n",
        "\r",
        "211-",
        "211 ",
        "200",
        "123-",
        "123 ",
        " ",
        "999 ",
        "abc",
        "\xff",
        "\xff\xff",
        "\xff\xf4",
        "\xff\xf2",
        "\xff\xfb",
        "\xff\xfd\n",
        "\xc3\xa9",
      ).map((s) => new Uint8Array(Buffer.from(s, "latin1"))),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts));

// ---------------------------------------------------------------- replies

/** Text for a reply line: no CR/LF, but digits, spaces, hyphens and non-ASCII. */
const lineText = fc.string({
  unit: fc.constantFrom("a", "Z", "0", "1", "2", "9", " ", "-", "é", "日", "😀", "\t", "|", "("),
  maxLength: 12,
});

interface GeneratedReply {
  reply: Reply;
  wire: string;
}

const generatedReply: fc.Arbitrary<GeneratedReply> = fc
  .record({
    code: fc.integer({ min: 100, max: 699 }),
    first: lineText,
    body: fc.array(lineText, { maxLength: 5 }),
    last: lineText,
    multi: fc.boolean(),
    crlf: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  })
  .map(({ code, first, body, last, multi, crlf }) => {
    const end = (i: number): string => ((crlf[i % crlf.length] ?? true) ? "\r\n" : "\n");
    if (!multi) return { reply: { code, lines: [first], message: first }, wire: `${code} ${first}${end(0)}` };
    // A body line must not be the terminator: those start with "<code> ".
    const safeBody = body.map((b) => (b.startsWith(`${code} `) ? `x${b}` : b));
    const lines = [first, ...safeBody, last];
    let wire = `${code}-${first}${end(0)}`;
    safeBody.forEach((b, i) => (wire += `${b}${end(i + 1)}`));
    wire += `${code} ${last}${end(7)}`;
    return { reply: { code, lines, message: lines.join("\n") }, wire };
  });

describe("ReplyParser properties", () => {
  test("any chunking of valid replies gives exactly the generated replies", () => {
    fc.assert(
      fc.property(fc.array(generatedReply, { minLength: 1, maxLength: 6 }), offsets, (replies, cuts) => {
        const wire = Buffer.from(replies.map((r) => r.wire).join(""), "utf8");
        const parser = new ReplyParser();
        const got: Reply[] = [];
        for (const chunk of cut(wire, cuts)) got.push(...parser.push(chunk));
        assert.deepEqual(
          got,
          replies.map((r) => r.reply),
        );
        assert.equal(parser.inReply, false);
        assert.equal(parser.bufferedBytes, 0);
      }),
      { numRuns: RUNS },
    );
  });

  test("formatReply output always parses back to one reply with the same lines", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 699 }),
        fc.array(fc.string({ unit: fc.constantFrom("a", "1", "2", " ", "-", "\r", "\n", "\0", "é", "日"), maxLength: 10 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (code, lines) => {
          const parsed = new ReplyParser().push(formatReply(code, lines));
          assert.equal(parsed.length, 1);
          const reply = parsed[0] as Reply;
          assert.equal(reply.code, code);
          const clean = lines.map((l) => l.replace(/[\r\n\0]/g, ""));
          const expected = clean.map((l, i) => (i > 0 && i < clean.length - 1 && /^\d{3}/.test(l) ? ` ${l}` : l));
          assert.deepEqual(reply.lines, expected);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("random bytes: only FtpError subclasses, buffers within limits, chunking-independent outcome", () => {
    fc.assert(
      fc.property(
        ftpishBytes,
        offsets,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 120 }),
        (wire, cuts, maxLineLength, maxReplyLines, maxReplyBytes) => {
          const options = { maxLineLength, maxReplyLines, maxReplyBytes };
          // Reference: byte by byte, stopping at the first error (nothing is lost that way).
          const reference = new ReplyParser(options);
          const refReplies: Reply[] = [];
          let refError: FtpError | undefined;
          for (let i = 0; i < wire.length && refError === undefined; i++) {
            try {
              refReplies.push(...reference.push(wire.subarray(i, i + 1)));
            } catch (err) {
              assert.ok(err instanceof FtpError, String(err));
              refError = err;
            }
            assert.ok(reference.bufferedBytes <= maxLineLength);
            assert.ok(reference.replyBytes <= maxReplyBytes);
          }

          const parser = new ReplyParser(options);
          const got: Reply[] = [];
          let error: FtpError | undefined;
          for (const chunk of cut(wire, cuts)) {
            try {
              got.push(...parser.push(chunk));
            } catch (err) {
              assert.ok(err instanceof FtpError, String(err));
              error = err;
              break;
            }
            assert.ok(parser.bufferedBytes <= maxLineLength);
            assert.ok(parser.replyBytes <= maxReplyBytes);
          }
          assert.equal(error?.constructor, refError?.constructor);
          assert.equal(error?.message, refError?.message);
          if (error === undefined) assert.deepEqual(got, refReplies);
          // Replies completed inside the failing chunk are dropped with it.
          else assert.deepEqual(got, refReplies.slice(0, got.length));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("after any error the parser keeps accepting input without breaking its limits", () => {
    fc.assert(
      fc.property(fc.array(ftpishBytes, { maxLength: 8 }), (chunks) => {
        const parser = new ReplyParser({ maxLineLength: 16, maxReplyLines: 3, maxReplyBytes: 40 });
        for (const chunk of chunks) {
          try {
            parser.push(chunk);
          } catch (err) {
            assert.ok(err instanceof FtpError);
          }
          assert.ok(parser.bufferedBytes <= 16);
          assert.ok(parser.replyBytes <= 40);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- commands

/**
 * A deliberately naive reference for the command parser: one byte at a
 * time, whole lines kept in an array, limits applied at the end. Written
 * independently of the real parser to cross-check it.
 */
function referenceCommandParse(wire: Buffer, max: number, encoding: "utf8" | "latin1"): CommandLine[] {
  const out: CommandLine[] = [];
  let line: number[] = [];
  let urgent = false;
  let state: "text" | "iac" | "option" = "text";
  const finish = (): void => {
    const bytes = line.length > 0 && line[line.length - 1] === 0x0d ? line.slice(0, -1) : line;
    if (bytes.length > max) out.push({ kind: "too-long", limit: max });
    else if (bytes.length > 0) {
      const text = Buffer.from(bytes).toString(encoding);
      const sp = text.indexOf(" ");
      out.push({
        kind: "command",
        command: {
          verb: (sp === -1 ? text : text.slice(0, sp)).toUpperCase(),
          arg: sp === -1 ? "" : text.slice(sp + 1),
          urgent,
        },
      });
    }
    line = [];
    urgent = false;
    state = "text";
  };
  for (const b of wire) {
    if (b === 0x0a) {
      finish();
    } else if (state === "iac") {
      state = "text";
      if (b === 0xff) line.push(0xff);
      else if (b >= 0xfb) state = "option";
      else if (b === 0xf4 || b === 0xf2) urgent = true;
      else if (b < 0xf0) line.push(b);
    } else if (state === "option") {
      state = "text";
    } else if (b === 0xff) {
      state = "iac";
    } else {
      line.push(b);
    }
  }
  // An unfinished line is reported only if it is already known to be too long.
  const trailingCR = line.length === max + 1 && line[line.length - 1] === 0x0d;
  if (line.length > max && !trailingCR) out.push({ kind: "too-long", limit: max });
  return out;
}

describe("CommandParser properties", () => {
  test("random bytes: same lines as a naive reference, for any chunking; never throws; bounded", () => {
    fc.assert(
      fc.property(
        ftpishBytes,
        offsets,
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom("utf8" as const, "latin1" as const),
        (wire, cuts, max, encoding) => {
          const parser = new CommandParser({ maxLineLength: max, encoding });
          const got: CommandLine[] = [];
          for (const chunk of cut(wire, cuts)) {
            got.push(...parser.push(chunk));
            assert.ok(parser.bufferedBytes <= max, `buffered ${parser.bufferedBytes} > ${max}`);
          }
          assert.deepEqual(got, referenceCommandParse(wire, max, encoding));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test("serializeCommand → CommandParser round-trips any safe argument", () => {
    const arg = fc.string({ unit: fc.constantFrom("a", " ", "ÿ", "é", "\t", "|", "/", "日", "😀", "\u00fe", "\r"), maxLength: 16 });
    fc.assert(
      fc.property(
        fc.constantFrom("STOR", "retr", "Mkd", "SITE"),
        arg,
        fc.constantFrom("utf8" as const, "latin1" as const),
        offsets,
        (verb, rawArg, encoding, cuts) => {
          const a = rawArg.replace(/\r/g, "");
          const safe = encoding === "latin1" ? a.replace(/[^\u0000-\u00ff]/gu, "") : a;
          const wire = serializeCommand(verb, safe, encoding);
          // Only the final CRLF; every 0xFF is doubled.
          assert.equal(wire.indexOf(0x0a), wire.length - 1);
          assert.equal(wire.indexOf(0x0d), wire.length - 2);
          for (let i = 0; i < wire.length; i++) {
            if (wire[i] === 0xff) {
              assert.equal(wire[i + 1], 0xff);
              i++;
            }
          }
          const parser = new CommandParser({ encoding });
          const got: CommandLine[] = [];
          for (const chunk of cut(wire, cuts)) got.push(...parser.push(chunk));
          assert.deepEqual(got, [{ kind: "command", command: { verb: verb.toUpperCase(), arg: safe, urgent: false } }]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("serializeCommand refuses every argument containing CR, LF or NUL", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.constantFrom("\r", "\n", "\0"), fc.string({ maxLength: 8 }), (a, bad, b) => {
        assert.throws(
          () => serializeCommand("STOR", a + bad + b),
          (err: unknown) => err instanceof FtpInvalidArgumentError && err.code === "ERR_FTP_INVALID_ARGUMENT",
        );
      }),
      { numRuns: RUNS },
    );
  });
});
