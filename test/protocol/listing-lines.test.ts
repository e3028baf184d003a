// Every real-world fixture line through its parser, compared with the
// hand-written expected FileInfo, and through format detection.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectListingFormat, parseDosLine, parseMlsdLine, parseUnixLine } from "../../src/protocol/listing/index.js";
import type { FileInfo } from "../../src/protocol/types.js";
import { IIS_DOS } from "./fixtures/dos-iis.js";
import { MLSD, MLSD_SELF_PARENT } from "./fixtures/mlsd.js";
import { FIXTURE_NOW, type ListingFixture } from "./fixtures/types.js";
import { FILEZILLA } from "./fixtures/unix-filezilla.js";
import { PROFTPD } from "./fixtures/unix-proftpd.js";
import { PURE_FTPD } from "./fixtures/unix-pure-ftpd.js";
import { UNUSUAL_UNIX } from "./fixtures/unix-unusual.js";
import { VSFTPD } from "./fixtures/unix-vsftpd.js";

const GROUPS: readonly [string, "unix" | "dos" | "mlsd", readonly ListingFixture[], (line: string) => FileInfo | undefined][] = [
  ["vsftpd", "unix", VSFTPD, (l) => parseUnixLine(l, FIXTURE_NOW)],
  ["ProFTPD", "unix", PROFTPD, (l) => parseUnixLine(l, FIXTURE_NOW)],
  ["Pure-FTPd", "unix", PURE_FTPD, (l) => parseUnixLine(l, FIXTURE_NOW)],
  ["FileZilla Server", "unix", FILEZILLA, (l) => parseUnixLine(l, FIXTURE_NOW)],
  ["unusual Unix variants", "unix", UNUSUAL_UNIX, (l) => parseUnixLine(l, FIXTURE_NOW)],
  ["IIS / Windows (DOS)", "dos", IIS_DOS, parseDosLine],
  ["MLSD (ProFTPD, Pure-FTPd, FileZilla, IIS, …)", "mlsd", MLSD, parseMlsdLine],
];

describe("real-world listing lines", () => {
  it("has at least 60 fixture lines", () => {
    const total = GROUPS.reduce((n, g) => n + g[2].length, 0);
    assert.ok(total >= 60, `only ${total} fixture lines`);
  });

  for (const [label, format, fixtures, parse] of GROUPS) {
    describe(label, () => {
      for (const f of fixtures) {
        it(`${f.source}: ${f.line}`, () => {
          const info = parse(f.line);
          assert.ok(info, "line was not parsed");
          const { raw, ...rest } = info;
          assert.equal(raw, f.line);
          assert.deepEqual(rest, f.expected);
        });
        it(`detects ${format}: ${f.line}`, () => {
          if (f.line.startsWith(" ")) return; // a fact-less MLSD line is only MLSD when the caller says so
          assert.equal(detectListingFormat(f.line), format);
        });
        it(`accepts CRLF residue: ${f.line}`, () => {
          const info = parse(`${f.line}\r`);
          assert.ok(info);
          assert.equal(info.raw, f.line);
          assert.equal(info.name, f.expected.name);
        });
      }
    });
  }

  it("MLSD cdir/pdir lines parse as directories", () => {
    for (const line of MLSD_SELF_PARENT) assert.equal(parseMlsdLine(line)?.type, "directory");
  });
});

describe("lines that are not entries", () => {
  const notUnix = [
    "total 48",
    "",
    "-rw-r--r--",
    "-rw-r--r-- 1 a b 12 Foo 3 10:15 bad-month",
    "-rw-r--r-- 1 a b 12 Mar 32 10:15 bad-day",
    "-rw-r--r-- 1 a b 12 Mar 3 25:15 bad-hour",
    "-rw-r--r-- 1 a b 12 Mar 3 10:61 bad-minute",
    "-rw-r--r-- 1 a b 12 Mar 3 10:15",
    "xrw-r--r-- 1 a b 12 Mar 3 10:15 bad-type",
    "-rq-r--r-- 1 a b 12 Mar 3 10:15 bad-perm",
    "01-23-20  10:15AM       <DIR>          dos",
    "type=file;size=1; mlsd",
  ];
  for (const line of notUnix) {
    it(`parseUnixLine rejects ${JSON.stringify(line)}`, () => assert.equal(parseUnixLine(line, FIXTURE_NOW), undefined));
  }
  const notDos = [
    "13-01-20  10:15AM       <DIR>          month13",
    "02-30-20  10:15AM       <DIR>          feb30",
    "01-23-20  13:15PM       <DIR>          pm13",
    "01-23-20  10:15AM       <DIR>",
    "01-23-20  10:15AM       abc            name",
    "01-23  10:15AM       <DIR>          two-part-date",
    "-rw-r--r-- 1 a b 12 Mar 3 10:15 unix",
  ];
  for (const line of notDos) {
    it(`parseDosLine rejects ${JSON.stringify(line)}`, () => assert.equal(parseDosLine(line), undefined));
  }
  for (const line of ["", "type=file;size=1;", "noname"]) {
    it(`parseMlsdLine rejects ${JSON.stringify(line)}`, () => assert.equal(parseMlsdLine(line), undefined));
  }
  it("detectListingFormat gives undefined for total lines and prose", () => {
    assert.equal(detectListingFormat("total 1234"), undefined);
    assert.equal(detectListingFormat("Permission denied"), undefined);
    assert.equal(detectListingFormat(""), undefined);
  });
  it("an invalid MLSD modify fact drops only the date", () => {
    const info = parseMlsdLine("type=file;modify=20241301000000;size=x; f");
    assert.ok(info);
    assert.equal(info.modifiedAt, undefined);
    assert.equal(info.size, undefined);
    assert.deepEqual(info.facts, { type: "file", modify: "20241301000000", size: "x" });
  });
  it("a __proto__ fact cannot touch the facts prototype", () => {
    const info = parseMlsdLine("__proto__=x;type=file; f");
    assert.ok(info?.facts);
    assert.equal(Object.getPrototypeOf(info.facts), Object.prototype);
    assert.deepEqual(Object.keys(info.facts), ["type"]);
  });
  it("prefers owner and group names over numbers, whatever the fact order", () => {
    assert.equal(parseMlsdLine("UNIX.ownername=bob;UNIX.owner=1000;UNIX.uid=7; f")?.owner, "bob");
    assert.equal(parseMlsdLine("UNIX.uid=7;UNIX.owner=1000; f")?.owner, "1000");
    assert.equal(parseMlsdLine("UNIX.owner=1000;UNIX.uid=7; f")?.owner, "1000");
    assert.equal(parseMlsdLine("unix.groupname=staff;unix.group=20;unix.gid=5; f")?.group, "staff");
    assert.equal(parseMlsdLine("unix.gid=5;unix.group=20; f")?.group, "20");
  });
  it("MLST entry line with its leading space", () => {
    const info = parseMlsdLine(" type=file;size=5; /pub/a b.txt");
    assert.equal(info?.name, "/pub/a b.txt");
    assert.equal(info?.size, 5);
  });
});
