// Runs the test suite with node's built-in runner (TypeScript through tsx).
// Node 20's `--test` does not expand globs, so the files are collected here.
// Usage: node scripts/run-tests.mjs [folder-or-file ...]   (default: test/)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const roots = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const flags = process.argv.slice(2).filter((a) => a.startsWith("-"));
const files = [];
for (const root of roots.length ? roots : ["test"]) {
  if (statSync(root).isFile()) files.push(root);
  else for (const f of readdirSync(root, { recursive: true })) {
    const p = join(root, String(f));
    if (p.endsWith(".test.ts") && !p.includes("node_modules") && !p.includes(".peers")) files.push(p);
  }
}
files.sort();
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
const result = spawnSync(
  process.execPath,
  [
    "--import", "tsx", "--test", `--test-concurrency=${concurrency}`,
    // The spec reporter, then one line: what was skipped and why.
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    `--test-reporter=${pathToFileURL(join(import.meta.dirname, "skip-summary-reporter.mjs")).href}`, "--test-reporter-destination=stdout",
    ...flags, ...files,
  ],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
