// `npm run demo` is one of the README's two set-up commands: keep it working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("the demo drives the embedded server through every step and exits 0", () => {
  const result = spawnSync(process.execPath, ["--import", "tsx", "examples/demo.ts"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `demo failed:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /sha256 (\w+) vs \1: identical/);
  assert.match(result.stdout, /the server root now holds 0 entries/);
  assert.match(result.stdout, /All steps passed/);
});
