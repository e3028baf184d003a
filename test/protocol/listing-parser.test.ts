// Whole listings: parseListing and the incremental ListingParser, fed the
// fixture listings in one piece, split at every byte offset, in random
// chunkings, and as random bytes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FtpError, FtpLineTooLongError } from "../../src/errors.js";
import { ListingParser, parseListing } from "../../src/protocol/listing/index.js";
import type { FileInfo } from "../../src/protocol/types.js";
import { IIS_DOS } from "./fixtures/dos-iis.js";
import { MLSD, MLSD_SELF_PARENT } from "./fixtures/mlsd.js";
import { FIXTURE_NOW, type ListingFixture } from "./fixtures/types.js";
import { FILEZILLA } from "./fixtures/unix-filezilla.js";
import { PROFTPD } from "./fixtures/unix-proftpd.js";
import { PURE_FTPD } from "./fixtures/unix-pure-ftpd.js";
import { UNUSUAL_UNIX } from "./fixtures/unix-unusual.js";
import { VSFTPD } from "./fixtures/unix-vsftpd.js";

interface Listing {
  readonly label: string;
  readonly format: "list" | "mlsd";
  readonly text: string;
  readonly expected: readonly Omit<FileInfo, "raw">[];
}

function listing(label: string, format: "list" | "mlsd", fixtures: readonly ListingFixture[], prefix: readonly string[] = [], extra: readonly string[] = []): Listing {
  const lines = [...prefix, ...fixtures.map((f) => f.line), ...extra];
  return { label, format, text: lines.map((l) => `${l}\r\n`).join(""), expected: fixtures.map((f) => f.expected) };
}

const LISTINGS: readonly Listing[] = [
  listing("vsftpd", "list", VSFTPD, ["total 123"]),
  listing("ProFTPD", "list", PROFTPD, ["total 52", "drwxr-xr-x   2 ftpuser  ftpgroup     4096 Mar  3 10:15 .", "drwxr-xr-x   9 ftpuser  ftpgroup     4096 Mar  3 10:15 .."]),
  listing("Pure-FTPd", "list", PURE_FTPD),
  listing("FileZilla Server", "list", FILEZILLA),
  listing("unusual Unix", "list", UNUSUAL_UNIX, ["total 0"]),
  listing("IIS", "list", IIS_DOS),
  listing("MLSD", "mlsd", MLSD.filter((f) => !f.line.startsWith(" ")), MLSD_SELF_PARENT.slice(0, 2), MLSD_SELF_PARENT.slice(2)),
];

function strip(entries: readonly FileInfo[]): Omit<FileInfo, "raw">[] {
  return entries.map(({ raw: _raw, ...rest }) => rest);
}

function feed(bytes: Buffer, format: "list" | "mlsd", cuts: readonly number[]): FileInfo[] {
  const p = new ListingParser({ format, now: FIXTURE_NOW });
  const out: FileInfo[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...p.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...p.end());
  return out;
}

describe("parseListing", () => {
  for (const l of LISTINGS) {
    it(`${l.label}: every entry, nothing else`, () => {
      const entries = parseListing(l.text, l.format, { now: FIXTURE_NOW });
      assert.deepEqual(strip(entries), l.expected);
    });
  }
  it("accepts LF-only line ends and a missing final line end", () => {
    const text = "total 1\n-rw-r--r-- 1 a b 1 Jan  1  2020 x\n-rw-r--r-- 1 a b 2 Jan  1  2020 y";
    assert.deepEqual(parseListing(text).map((e) => e.name), ["x", "y"]);
  });
  it("detects on the first non-total line and keeps that format", () => {
    const text = [
      "total 8",
      "01-23-20  10:15AM       <DIR>          dosdir",
      "-rw-r--r-- 1 a b 1 Jan  1  2020 unix-line-ignored",
      "01-24-20  10:15AM                   5 dosfile",
    ].join("\r\n");
    assert.deepEqual(parseListing(text).map((e) => e.name), ["dosdir", "dosfile"]);
  });
  it("skips garbage before the first recognisable line", () => {
    const text = "Welcome!\r\n\r\n-rw-r--r-- 1 a b 1 Jan  1  2020 x\r\n";
    assert.deepEqual(parseListing(text).map((e) => e.name), ["x"]);
  });
  it("drops raw when asked", () => {
    const [e] = parseListing("-rw-r--r-- 1 a b 1 Jan  1  2020 x", "list", { raw: false });
    assert.ok(e);
    assert.equal("raw" in e, false);
  });
  it("keeps raw by default", () => {
    const [e] = parseListing("-rw-r--r-- 1 a b 1 Jan  1  2020 x\r\n");
    assert.equal(e?.raw, "-rw-r--r-- 1 a b 1 Jan  1  2020 x");
  });
  it("treats an MLSD listing given as LIST by detection", () => {
    assert.deepEqual(parseListing("type=file;size=1; a\r\ntype=dir; b\r\n").map((e) => [e.name, e.type]), [["a", "file"], ["b", "directory"]]);
  });
});

describe("ListingParser", () => {
  for (const l of LISTINGS) {
    it(`${l.label}: split at every byte offset`, () => {
      const bytes = Buffer.from(l.text, "utf8");
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepEqual(strip(feed(bytes, l.format, [cut])), l.expected, `split at ${cut}`);
      }
    });
    it(`${l.label}: one byte at a time`, () => {
      const bytes = Buffer.from(l.text, "utf8");
      const cuts = Array.from({ length: bytes.length }, (_, i) => i);
      assert.deepEqual(strip(feed(bytes, l.format, cuts)), l.expected);
    });
  }

  it("random chunkings give the same entries as one chunk (property)", () => {
    const all = LISTINGS.filter((l) => l.format === "list");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.array(fc.nat(), { maxLength: 30 }), (i, raw) => {
        const l = all[i]!;
        const bytes = Buffer.from(l.text, "utf8");
        const cuts = [...new Set(raw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        assert.deepEqual(feed(bytes, l.format, cuts), feed(bytes, l.format, []));
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes in random chunks only ever throw FtpError (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom("list", "mlsd"), (data, raw, format) => {
        const bytes = Buffer.from(data);
        const cuts = [...new Set(raw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const p = new ListingParser({ format: format as "list" | "mlsd", maxLineLength: 200, now: FIXTURE_NOW });
        try {
          let from = 0;
          for (const cut of [...cuts, bytes.length]) {
            p.push(bytes.subarray(from, cut));
            from = cut;
          }
          p.end();
        } catch (e) {
          assert.ok(e instanceof FtpError, `threw ${String(e)}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("random listing-like text never throws and chunking does not matter (property)", () => {
    const piece = fc.constantFrom("-rw-r--r-- ", "drwxr-xr-x ", "1 ", "a ", "b ", "12 ", "Jan ", " 1 ", "10:00 ", "2020 ", "x", " -> ", "\r\n", "\n", "type=file;", "size=1;", " ", "01-23-20  ", "10:15AM ", "<DIR> ", "ü", "total 5\n");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 10 }), fc.constantFrom("list", "mlsd"), (pieces, raw, format) => {
        const bytes = Buffer.from(pieces.join(""), "utf8");
        const cuts = [...new Set(raw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const f = format as "list" | "mlsd";
        assert.deepEqual(feed(bytes, f, cuts), feed(bytes, f, []));
        assert.deepEqual(feed(bytes, f, []), parseListing(bytes.toString("utf8"), f, { now: FIXTURE_NOW }));
      }),
      { numRuns: 300 },
    );
  });

  it("a multi-byte character split across chunks survives", () => {
    const bytes = Buffer.from("-rw-r--r-- 1 a b 1 Jan  1  2020 Ärger €.txt\r\n", "utf8");
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(feed(bytes, "list", [cut])[0]?.name, "Ärger €.txt", `split at ${cut}`);
    }
  });

  it("decodes latin1 when asked, and the encoding may change between pushes", () => {
    const p = new ListingParser({ format: "list", encoding: "latin1", now: FIXTURE_NOW });
    assert.equal(p.push(Buffer.from("-rw-r--r-- 1 a b 1 Jan  1  2020 caf\xe9\r\n", "latin1"))[0]?.name, "café");
    p.encoding = "utf8";
    assert.equal(p.push(Buffer.from("-rw-r--r-- 1 a b 1 Jan  1  2020 café\r\n", "utf8"))[0]?.name, "café");
  });

  describe("line length limit", () => {
    const long = (n: number): string => `-rw-r--r-- 1 a b 1 Jan  1  2020 ${"x".repeat(n - 32)}`;
    it("accepts a line of exactly maxLineLength bytes, in any chunking", () => {
      const line = long(100);
      assert.equal(Buffer.byteLength(line), 100);
      const bytes = Buffer.from(`${line}\r\n`);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const p = new ListingParser({ format: "list", maxLineLength: 100, now: FIXTURE_NOW });
        const out = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut)), ...p.end()];
        assert.equal(out.length, 1, `split at ${cut}`);
      }
    });
    it("throws FtpLineTooLongError one byte past it, in any chunking", () => {
      const bytes = Buffer.from(`${long(101)}\r\n`);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const p = new ListingParser({ format: "list", maxLineLength: 100, now: FIXTURE_NOW });
        assert.throws(() => {
          p.push(bytes.subarray(0, cut));
          p.push(bytes.subarray(cut));
          p.end();
        }, FtpLineTooLongError, `split at ${cut}`);
      }
    });
    it("counts bytes, not characters", () => {
      // 32 ASCII bytes + 40 three-byte characters: 152 bytes, but only 72 UTF-16 units.
      const line = `-rw-r--r-- 1 a b 1 Jan  1  2020 ${"€".repeat(40)}`;
      assert.equal(Buffer.byteLength(line), 152);
      const p = new ListingParser({ format: "list", maxLineLength: 152, now: FIXTURE_NOW });
      assert.equal(p.push(Buffer.from(`${line}\n${line}\n`)).length, 2);
      const q = new ListingParser({ format: "list", maxLineLength: 151, now: FIXTURE_NOW });
      assert.throws(() => q.push(Buffer.from(`ok\n${line}\n`)), FtpLineTooLongError);
    });
    it("does not buffer an endless line", () => {
      const p = new ListingParser({ format: "list", maxLineLength: 1000 });
      assert.throws(() => {
        for (let i = 0; i < 100; i++) p.push(Buffer.alloc(100, 0x61));
      }, FtpLineTooLongError);
    });
  });

  it("end() resets for another listing", () => {
    const p = new ListingParser({ format: "list", now: FIXTURE_NOW });
    p.push(Buffer.from("01-23-20  10:15AM       <DIR>          dos\r\n"));
    assert.equal(p.end().length, 0);
    assert.equal(p.push(Buffer.from("-rw-r--r-- 1 a b 1 Jan  1  2020 unix\r\n"))[0]?.name, "unix");
  });
});
