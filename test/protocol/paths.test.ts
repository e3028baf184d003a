import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { joinVirtual, parseQuotedPath, quotePath, resolveVirtualPath, virtualBasename, virtualDirname } from "../../src/protocol/paths.js";

describe("resolveVirtualPath", () => {
  const cases: [string, string, string][] = [
    ["/", "", "/"],
    ["/a/b", "", "/a/b"],
    ["/a/b/", "", "/a/b"],
    ["/a", "b", "/a/b"],
    ["/a", "b/c/", "/a/b/c"],
    ["/a", "/x/y", "/x/y"],
    ["/a/b", "..", "/a"],
    ["/a/b", "../..", "/"],
    ["/a/b", "../../../../etc/passwd", "/etc/passwd"],
    ["/", "..", "/"],
    ["/", "/..", "/"],
    ["/a", ".", "/a"],
    ["/a", "./b/./c", "/a/b/c"],
    ["/a", "b//c///d", "/a/b/c/d"],
    ["/a", "//x", "/x"],
    ["/a", "b/../../c", "/c"],
    ["/a", "..\\..\\etc", "/a/..\\..\\etc"],
    ["/a", "c:\\windows", "/a/c:\\windows"],
    ["/a", "...", "/a/..."],
    ["/a", "..b", "/a/..b"],
    ["/a", " spaced ", "/a/ spaced "],
    ["relative/cwd", "x", "/relative/cwd/x"],
  ];
  for (const [cwd, arg, out] of cases) {
    it(`(${JSON.stringify(cwd)}, ${JSON.stringify(arg)}) → ${out}`, () => assert.equal(resolveVirtualPath(cwd, arg), out));
  }
  it("never rises above / and is always normalized (property)", () => {
    const segment = fc.constantFrom("..", ".", "", "a", "b", "c d", "\\", "...");
    const path = fc.array(segment, { maxLength: 12 }).map((s) => s.join("/"));
    fc.assert(
      fc.property(path, path, (cwd, arg) => {
        const out = resolveVirtualPath(`/${cwd}`, arg);
        assert.ok(out.startsWith("/"));
        assert.ok(out === "/" || !out.endsWith("/"));
        assert.ok(!out.includes("//"));
        for (const seg of out.split("/").slice(1)) assert.ok(seg !== "." && seg !== "..");
        assert.equal(resolveVirtualPath("/", out), out);
      }),
      { numRuns: 500 },
    );
  });
});

describe("257 quoting", () => {
  it("quotes, doubling embedded quotes", () => {
    assert.equal(quotePath("/"), '"/"');
    assert.equal(quotePath('/a"b'), '"/a""b"');
    assert.equal(quotePath('/""'), '"/"""""');
  });
  const cases: [string, string | undefined][] = [
    ['"/a""b" is current directory', '/a"b'],
    ['"/" is the current directory', "/"],
    ['"/with space/x" created', "/with space/x"],
    ['PWD: "/x" ok', "/x"],
    ['"/unterminated', "/unterminated"],
    ['"/trailing"""', '/trailing"'],
    ["/home/bob is current directory", "/home/bob"],
    ["current directory is /srv", "/srv"],
    ["C:\\ftp", "C:\\ftp"],
    ['""', ""],
    ["", undefined],
    ["   ", undefined],
  ];
  for (const [text, out] of cases) {
    it(`parseQuotedPath(${JSON.stringify(text)}) → ${JSON.stringify(out)}`, () => assert.equal(parseQuotedPath(text), out));
  }
  it("round-trips any path through quotePath (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (p) => {
        fc.pre(p !== "");
        assert.equal(parseQuotedPath(`${quotePath(p)} is current directory`), p);
      }),
      { numRuns: 500 },
    );
  });
});

describe("basename / dirname / join", () => {
  it("works on virtual paths", () => {
    assert.equal(virtualBasename("/a/b"), "b");
    assert.equal(virtualBasename("/a/b/"), "b");
    assert.equal(virtualBasename("/"), "");
    assert.equal(virtualBasename("/a\\b"), "a\\b");
    assert.equal(virtualDirname("/a/b"), "/a");
    assert.equal(virtualDirname("/a"), "/");
    assert.equal(virtualDirname("/"), "/");
    assert.equal(virtualDirname("/a/b/"), "/a");
    assert.equal(joinVirtual("/a", "b"), "/a/b");
    assert.equal(joinVirtual("/a", "/b"), "/a/b");
    assert.equal(joinVirtual("/", "b c"), "/b c");
    assert.equal(joinVirtual("/a/b", "../../.."), "/");
  });
});
