// `npm test` ends with one line that says what was skipped and why (issue 12:
// on a fresh clone 90 real-peer tests were skipped, each noted only in its
// own result line).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
// @ts-expect-error: a plain .mjs script without declarations.
import skipSummaryReporter, { skipSummary } from "../../scripts/skip-summary-reporter.mjs";

const root = join(import.meta.dirname, "..", "..");
const summarize = skipSummary as (reasons: Map<string, number>, total: number) => string;

test("the summary line counts skips by reason, most frequent first", () => {
  assert.equal(summarize(new Map(), 12), "skip summary: none of 12 tests skipped");
  assert.equal(
    summarize(new Map([["curl unavailable", 1], ["proftpd unavailable", 3]]), 10),
    "skip summary: 4 of 10 tests skipped: 3 × proftpd unavailable; 1 × curl unavailable",
  );
  const many = new Map(Array.from({ length: 8 }, (_, i) => [`reason ${i}`, 1] as [string, number]));
  assert.match(summarize(many, 8), /: 1 × reason 0; .*1 × reason 5; 2 more reasons$/);
});

test("the reporter reads test events, leaves suites out and names reasonless skips", async () => {
  async function* events() {
    yield { type: "test:pass", data: { name: "a", details: { type: "test" } } };
    yield { type: "test:pass", data: { name: "b", skip: "vsftpd unavailable: x", details: { type: "test" } } };
    yield { type: "test:pass", data: { name: "c", skip: true, details: { type: "test" } } };
    yield { type: "test:fail", data: { name: "d", details: { type: "test" } } };
    yield { type: "test:pass", data: { name: "suite", skip: "whole suite", details: { type: "suite" } } };
    yield { type: "test:diagnostic", data: { message: "tests 4" } };
  }
  const out: string[] = [];
  for await (const chunk of (skipSummaryReporter as (s: AsyncIterable<unknown>) => AsyncIterable<string>)(events())) out.push(chunk);
  assert.equal(out.join("").trim(), "skip summary: 2 of 4 tests skipped: 1 × no reason given; 1 × vsftpd unavailable: x");
});

test("scripts/run-tests.mjs ends its output with the skip summary", () => {
  const run = spawnSync(process.execPath, ["scripts/run-tests.mjs", "test/package/fixtures/skips.fixture.ts"], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    // Without this the inner runner believes it is a child of this one and reports to it, not to stdout.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const last = run.stdout.trim().split("\n").at(-1);
  assert.equal(last, "skip summary: 4 of 6 tests skipped: 2 × proftpd unavailable: not installed; 1 × curl unavailable: /usr/bin/curl is missing; 1 × no reason given");
});
