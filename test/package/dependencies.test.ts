// What `npm install ftpwire` brings along. Every runtime dependency is
// installed for every user, and with it its optional dependencies: one
// types-only package (typed-emitter) used to pull in rxjs, about 12 MB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, file), "utf8")) as Record<string, unknown>;

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

test("the runtime dependencies are debug and tslib, nothing else", () => {
  const manifest = readJson("package.json");
  assert.deepEqual(Object.keys(manifest["dependencies"] as object).sort(), ["debug", "tslib"]);
  assert.equal(manifest["optionalDependencies"], undefined);
  assert.equal(manifest["peerDependencies"], undefined);
});

test("the lockfile installs nothing for users beyond the runtime dependencies and theirs", () => {
  const packages = readJson("package-lock.json")["packages"] as Record<string, LockEntry>;
  // Walk the runtime closure the way npm installs it for a user: dependencies
  // and optional dependencies, transitively.
  const seen = new Set<string>();
  const queue = ["debug", "tslib"];
  for (let i = 0; i < queue.length && i < 1_000; i++) {
    const name = queue[i]!;
    if (seen.has(name)) continue;
    seen.add(name);
    const entry = packages[`node_modules/${name}`];
    assert.ok(entry, `${name} is in the lockfile`);
    assert.notEqual(entry.dev, true, `${name} is not dev-only`);
    queue.push(...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }));
  }
  assert.deepEqual([...seen].sort(), ["debug", "ms", "tslib"]);
  assert.equal(packages["node_modules/typed-emitter"], undefined);
  assert.equal(packages["node_modules/rxjs"], undefined);
});
