// What the published tarball holds, read from `npm pack --dry-run`: the
// links in its Markdown lead to files it ships, the npm page can link to the
// repository, and the source maps carry the sources they map.
// Issue 12: the README linked to docs/*.md, which the tarball did not ship;
// package.json had no repository/homepage/bugs; 130 maps pointed to src/.
// Reads dist/ as published: run `npm run build` first (CI does).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const built = existsSync(join(root, "dist", "esm", "index.js")) && existsSync(join(root, "dist", "cjs", "index.js"));
const skip = !built && !process.env.CI ? "dist/ missing: run npm run build" : false;

let shipped = new Set<string>();

before(() => {
  if (skip) return;
  assert.ok(built, "dist/esm and dist/cjs must exist (npm run build)");
  const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--silent"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  assert.equal(pack.status, 0, `npm pack --dry-run failed:\n${pack.stdout}${pack.stderr}`);
  const [result] = JSON.parse(pack.stdout) as [{ files: { path: string }[] }];
  shipped = new Set(result.files.map((f) => f.path));
  assert.ok(shipped.has("dist/esm/index.js") && shipped.has("README.md"), "the listing names the package's files");
});

/** Relative link targets in a Markdown text: `[text](target)`, without the #fragment; web links and pure anchors left out. */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  const targets: string[] = [];
  for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z+.-]*:/i.test(target) || target.startsWith("#")) continue;
    targets.push(target.replace(/#.*$/, ""));
  }
  return targets;
}

test("relativeLinks finds file links and leaves out web links, anchors and code", () => {
  const text = "See [a](docs/a.md#x), [b](https://x.org/b.md), [c](#c), [d](./d.md).\n```\n[e](e.md)\n```\n";
  assert.deepEqual(relativeLinks(text), ["docs/a.md", "./d.md"]);
});

test("every relative link in a shipped Markdown file leads to a shipped file", { skip }, () => {
  const markdown = [...shipped].filter((path) => path.endsWith(".md"));
  assert.ok(markdown.includes("README.md") && markdown.includes("CHANGELOG.md"));
  const broken: string[] = [];
  let checked = 0;
  for (const file of markdown) {
    for (const target of relativeLinks(readFileSync(join(root, file), "utf8"))) {
      checked++;
      const resolved = posix.normalize(posix.join(posix.dirname(file), target));
      if (!shipped.has(resolved)) broken.push(`${file} → ${target}`);
    }
  }
  assert.ok(checked >= 5, `the README links to its docs (${checked} links seen)`);
  assert.deepEqual(broken, [], "links to files the tarball does not ship");
});

test("package.json names the repository, the home page and where to report bugs", () => {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    repository?: { type?: string; url?: string };
    homepage?: string;
    bugs?: { url?: string };
  };
  assert.equal(manifest.repository?.type, "git");
  assert.match(manifest.repository?.url ?? "", /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  const repo = manifest.repository!.url!.replace(/^git\+/, "").replace(/\.git$/, "");
  assert.equal(manifest.homepage, `${repo}#readme`);
  assert.equal(manifest.bugs?.url, `${repo}/issues`);
});

test("every shipped source map carries the sources it maps, and every map is referenced", { skip }, () => {
  const maps = [...shipped].filter((path) => path.endsWith(".js.map"));
  assert.ok(maps.length > 50, `maps for both builds (${maps.length})`);
  for (const map of maps) {
    const parsed = JSON.parse(readFileSync(join(root, map), "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
    assert.ok(parsed.sources.length > 0, map);
    for (const [i, source] of parsed.sources.entries()) {
      const inline = parsed.sourcesContent?.[i];
      const onDisk = posix.normalize(posix.join(posix.dirname(map), source));
      assert.ok((typeof inline === "string" && inline.length > 0) || shipped.has(onDisk), `${map}: ${source} is neither inline nor shipped`);
    }
    const js = map.slice(0, -".map".length);
    assert.ok(shipped.has(js), `${map} belongs to a shipped ${js}`);
    assert.match(readFileSync(join(root, js), "utf8"), new RegExp(`//# sourceMappingURL=${posix.basename(map).replace(/\./g, "\\.")}\\s*$`));
  }
  // A source in the map is the very file it was built from.
  const sample = JSON.parse(readFileSync(join(root, "dist/esm/index.js.map"), "utf8")) as { sources: string[]; sourcesContent: string[] };
  const source = join(root, "dist/esm", sample.sources[0]!);
  assert.equal(sample.sourcesContent[0], readFileSync(source, "utf8"));
  assert.equal(dirname(source), join(root, "src"));
});
