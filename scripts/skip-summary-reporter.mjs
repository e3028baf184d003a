// A node:test reporter that adds one line at the end of the run: how many
// tests were skipped, and why, grouped by reason (most frequent first).
// Used beside the spec reporter by scripts/run-tests.mjs, so a fresh clone
// without the real peers says in one place what it did not test, instead of
// a skip buried in each of ninety results.

/** At most this many distinct reasons in the line; the rest are counted. */
const MAX_REASONS = 6;

/** The summary line for a map of reason → count and the number of tests run. */
export function skipSummary(reasons, total) {
  const skipped = [...reasons.values()].reduce((a, b) => a + b, 0);
  if (skipped === 0) return `skip summary: none of ${total} tests skipped`;
  const sorted = [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, MAX_REASONS).map(([reason, count]) => `${count} × ${reason}`);
  const rest = sorted.length - shown.length;
  if (rest > 0) shown.push(`${rest} more reason${rest === 1 ? "" : "s"}`);
  return `skip summary: ${skipped} of ${total} tests skipped: ${shown.join("; ")}`;
}

export default async function* skipSummaryReporter(source) {
  const reasons = new Map();
  let total = 0;
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    // Suites report too; count the tests in them only.
    if (event.data.details?.type === "suite") continue;
    total++;
    const skip = event.data.skip;
    if (skip === undefined || skip === false) continue;
    const reason = typeof skip === "string" && skip.trim() !== "" ? skip.trim() : "no reason given";
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  yield `\n${skipSummary(reasons, total)}\n`;
}
