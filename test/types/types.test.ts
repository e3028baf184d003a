// Runs the type-level tests (test/types/*.types.ts) through the compiler:
// they pass when `tsc -p test/types` reports nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

test("the public API's types hold (tsc -p test/types)", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", import.meta.dirname], { encoding: "utf8" });
  assert.equal(run.status, 0, `type tests failed:\n${run.stdout}${run.stderr}`);
});
