// The server-side formatters (MLSD/MLST facts, `ls -l` lines) against
// hand-written lines, and the fixture triangle: parse → format → parse.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FtpInvalidArgumentError } from "../../src/errors.js";
import { formatMlsdLine, formatUnixLine, MLSD_FACTS, parseMlsdLine, parseUnixLine } from "../../src/protocol/listing/index.js";
import type { FileInfo } from "../../src/protocol/types.js";
import { MLSD } from "./fixtures/mlsd.js";
import { FIXTURE_NOW, d } from "./fixtures/types.js";
import { FILEZILLA } from "./fixtures/unix-filezilla.js";
import { PROFTPD } from "./fixtures/unix-proftpd.js";
import { PURE_FTPD } from "./fixtures/unix-pure-ftpd.js";
import { UNUSUAL_UNIX } from "./fixtures/unix-unusual.js";
import { VSFTPD } from "./fixtures/unix-vsftpd.js";

describe("formatMlsdLine", () => {
  it("writes the default facts in order", () => {
    const info: FileInfo = { name: "a b", type: "file", size: 12, modifiedAt: d("2024-01-01T00:00:00Z"), permissions: "r", mode: 0o644 };
    assert.equal(formatMlsdLine(info), "type=file;size=12;modify=20240101000000;perm=r;UNIX.mode=0644; a b");
  });
  it("writes the selected facts only, in the order given", () => {
    const info: FileInfo = { name: "x", type: "file", size: 1, modifiedAt: d("2024-01-01T00:00:00Z"), permissions: "adfrw", unique: "u1", owner: "bob", group: "staff", mode: 0o600 };
    assert.equal(formatMlsdLine(info, ["size", "type"]), "size=1;type=file; x");
    assert.equal(formatMlsdLine(info, MLSD_FACTS), "type=file;size=1;modify=20240101000000;perm=adfrw;unique=u1;UNIX.mode=0600;UNIX.owner=bob;UNIX.group=staff; x");
    assert.equal(formatMlsdLine(info, []), " x");
  });
  it("directories get sizd, never size; symlinks say where they point", () => {
    assert.equal(formatMlsdLine({ name: "d", type: "directory", size: 4096 }, ["type", "size", "sizd"]), "type=dir;sizd=4096; d");
    assert.equal(formatMlsdLine({ name: "l", type: "symlink", target: "/t" }, ["type"]), "type=OS.unix=slink:/t; l");
    assert.equal(formatMlsdLine({ name: "l", type: "symlink", target: "/a;b" }, ["type"]), "type=OS.unix=symlink; l");
    assert.equal(formatMlsdLine({ name: "l", type: "symlink" }, ["type"]), "type=OS.unix=symlink; l");
    assert.equal(formatMlsdLine({ name: "u", type: "unknown", size: 3 }, ["type", "size"]), "size=3; u");
  });
  it("writes milliseconds only when there are some, and dates before 1970", () => {
    assert.equal(formatMlsdLine({ name: "f", type: "file", modifiedAt: d("2024-01-01T00:00:00.250Z") }, ["modify"]), "modify=20240101000000.250; f");
    assert.equal(formatMlsdLine({ name: "f", type: "file", modifiedAt: d("1969-07-20T20:17:40Z") }, ["modify"]), "modify=19690720201740; f");
    assert.equal(formatMlsdLine({ name: "f", type: "file", modifiedAt: new Date(NaN) }, ["modify"]), " f");
  });
  it("uses the path for MLST and leaves the leading space to the server", () => {
    assert.equal(formatMlsdLine({ name: "b.txt", path: "/pub/b.txt", type: "file", size: 5 }, ["type", "size"]), "type=file;size=5; /pub/b.txt");
  });
  it("leaves out values that would break the line", () => {
    assert.equal(formatMlsdLine({ name: "f", type: "file", owner: "two words", group: "a;b" }, ["unix.owner", "unix.group"]), " f");
  });
  it("refuses names with CR or LF", () => {
    assert.throws(() => formatMlsdLine({ name: "a\r\nb", type: "file" }), FtpInvalidArgumentError);
  });
  it("accepts upper-case fact names", () => {
    assert.equal(formatMlsdLine({ name: "f", type: "file", mode: 0o755 }, ["TYPE", "UNIX.mode"]), "type=file;UNIX.mode=0755; f");
  });
});

describe("formatUnixLine", () => {
  it("writes a recent file with the time of day", () => {
    const info: FileInfo = { name: "a b", type: "file", size: 12, modifiedAt: d("2024-01-01T00:00:00Z"), mode: 0o644 };
    assert.equal(formatUnixLine(info, FIXTURE_NOW), "-rw-r--r--    1 ftp      ftp                12 Jan  1 00:00 a b");
  });
  it("writes old and future dates with the year", () => {
    const old: FileInfo = { name: "old", type: "directory", size: 4096, modifiedAt: d("2020-12-25T18:00:00Z"), mode: 0o755, hardLinks: 3, owner: "alice", group: "staff" };
    assert.equal(formatUnixLine(old, FIXTURE_NOW), "drwxr-xr-x    3 alice    staff            4096 Dec 25  2020 old");
    const future: FileInfo = { name: "f", type: "file", size: 1, modifiedAt: d("2024-06-20T10:00:00Z") };
    assert.equal(formatUnixLine(future, FIXTURE_NOW), "-rw-r--r--    1 ftp      ftp                 1 Jun 20  2024 f");
    const early: FileInfo = { name: "e", type: "file", size: 0, modifiedAt: d("1969-07-20T20:17:40Z") };
    assert.equal(formatUnixLine(early, FIXTURE_NOW), "-rw-r--r--    1 ftp      ftp                 0 Jul 20  1969 e");
  });
  it("switches to the year form at six months", () => {
    const at = (iso: string): string => formatUnixLine({ name: "x", type: "file", size: 0, modifiedAt: d(iso) }, FIXTURE_NOW).slice(47, 59);
    assert.equal(at("2023-12-16T12:00:00Z"), "Dec 16 12:00");
    assert.equal(at("2023-12-14T12:00:00Z"), "Dec 14  2023");
  });
  it("writes symlinks, special bits and defaults", () => {
    assert.equal(
      formatUnixLine({ name: "cur", type: "symlink", target: "v1", size: 2, modifiedAt: d("2022-01-10T00:00:00Z") }, FIXTURE_NOW),
      "lrwxrwxrwx    1 ftp      ftp                 2 Jan 10  2022 cur -> v1",
    );
    assert.equal(
      formatUnixLine({ name: "t", type: "directory", mode: 0o1777, modifiedAt: d("2022-01-10T00:00:00Z") }, FIXTURE_NOW),
      "drwxrwxrwt    1 ftp      ftp                 0 Jan 10  2022 t",
    );
    assert.equal(
      formatUnixLine({ name: "s", type: "file", mode: 0o6644, modifiedAt: d("2022-01-10T00:00:00Z") }, FIXTURE_NOW),
      "-rwSr-Sr--    1 ftp      ftp                 0 Jan 10  2022 s",
    );
    assert.equal(formatUnixLine({ name: "n", type: "file" }, FIXTURE_NOW), "-rw-r--r--    1 ftp      ftp                 0 Jan  1  1970 n");
  });
  it("keeps columns intact for owners with spaces", () => {
    assert.equal(
      formatUnixLine({ name: "f", type: "file", owner: "Domain Users", group: "x", modifiedAt: d("2022-01-10T00:00:00Z") }, FIXTURE_NOW),
      "-rw-r--r--    1 Domain_Users x                   0 Jan 10  2022 f",
    );
  });
  it("refuses names with CR or LF", () => {
    assert.throws(() => formatUnixLine({ name: "a\nb", type: "file" }), FtpInvalidArgumentError);
  });
});

/** Fields the Unix formatter writes out faithfully. */
function unixView(info: FileInfo): Partial<FileInfo> {
  const { name, type, size, mode, hardLinks, owner, group, target } = info;
  return { name, type, size, mode, hardLinks, owner, group, target };
}

describe("fixture triangle: parse → format → parse", () => {
  const SIX_MONTHS = 15_778_476_000;
  const unix = [...VSFTPD, ...PROFTPD, ...PURE_FTPD, ...FILEZILLA, ...UNUSUAL_UNIX].filter(
    (f) => f.expected.type !== "unknown" && f.expected.mode !== undefined && f.expected.owner !== undefined && f.expected.group !== undefined && f.expected.size !== undefined,
  );
  for (const f of unix) {
    it(`ls -l: ${f.line}`, () => {
      const first = parseUnixLine(f.line, FIXTURE_NOW);
      assert.ok(first);
      const text = formatUnixLine(first, FIXTURE_NOW);
      const second = parseUnixLine(text, FIXTURE_NOW);
      assert.ok(second, text);
      assert.deepEqual(unixView(second), unixView(first));
      // Older than six months, `ls -l` shows only the day.
      const t = first.modifiedAt!.getTime();
      const recent = t <= FIXTURE_NOW.getTime() && FIXTURE_NOW.getTime() - t < SIX_MONTHS;
      const expected = recent ? t : t - (((t % 86_400_000) + 86_400_000) % 86_400_000);
      assert.equal(second.modifiedAt?.getTime(), expected);
      assert.equal(formatUnixLine(second, FIXTURE_NOW), text);
    });
  }
  for (const f of MLSD) {
    it(`MLSD: ${f.line}`, () => {
      const first = parseMlsdLine(f.line);
      assert.ok(first);
      const text = formatMlsdLine(first, MLSD_FACTS);
      const second = parseMlsdLine(text);
      assert.ok(second, text);
      const { facts: _a, raw: _b, ...a } = first;
      const { facts: _c, raw: _d, ...b } = second;
      assert.deepEqual(b, a);
      assert.equal(formatMlsdLine(second, MLSD_FACTS), text);
    });
  }
});
