// The one results table. Suites record rows here as they finish; when the
// process is about to exit, every row and the ratio checks (checks.ts) are
// printed as one table and written to bench/results.md (quick runs:
// bench/results.quick.md, so a sanity run never overwrites real figures).
import { writeFileSync } from "node:fs";
import { cpus, totalmem, release } from "node:os";
import { fileURLToPath } from "node:url";
import { evaluateChecks, type CheckOutcome } from "./checks.js";
import { childRuntimeNote } from "./children.js";
import { options } from "./options.js";
import { formatNumber } from "./stats.js";

export interface Row {
  suite: string;
  /** Stable id used by the ratio checks, e.g. "large:ftpwire-ftpwire:retr". */
  key: string;
  label: string;
  /** Main figure as printed, e.g. "1,234 MB/s", or "n/a (reason)". */
  result: string;
  details: string;
  /** Medians by metric name; empty for n/a rows. */
  values: Readonly<Record<string, number>>;
  na?: string;
}

const rows: Row[] = [];
const suitesRun: string[] = [];
let hooked = false;

export function beginSuite(name: string): void {
  suitesRun.push(name);
  hook();
}

/**
 * Runs a suite's body; a failure outside any row (setup: a work folder, a
 * generated file) becomes one n/a row instead of ending the bench.
 */
export async function suiteBody(name: string, body: () => Promise<void>): Promise<void> {
  beginSuite(name);
  try {
    await body();
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    recordNa(name, `${name}:setup`, `${name} suite`, text.split("\n")[0] ?? text);
  }
}

export function recordRow(row: Omit<Row, "na">): void {
  rows.push(row);
  console.log(`  ${row.label}: ${row.result}${row.details ? ` — ${row.details}` : ""}`);
}

export function recordNa(suite: string, key: string, label: string, reason: string): void {
  const oneLine = reason.replace(/\s+/g, " ").slice(0, 160);
  rows.push({ suite, key, label, result: `n/a (${oneLine})`, details: "", values: {}, na: oneLine });
  console.log(`  ${label}: n/a (${oneLine})`);
}

export function value(key: string, metric: string): number | undefined {
  return rows.find((r) => r.key === key)?.values[metric];
}

export function hasRow(key: string): boolean {
  return rows.some((r) => r.key === key);
}

export function allRows(): readonly Row[] {
  return rows;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)].join("\n");
}

export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), ${formatNumber(totalmem() / 2 ** 30, 1)} GiB RAM, Linux ${release()}, Node ${process.version}`;
}

export function renderReport(checks: readonly CheckOutcome[]): string {
  const o = options();
  const table = markdownTable(
    ["Suite", "Row", "Result (median)", "Details"],
    rows.map((r) => [r.suite, escapeCell(r.label), escapeCell(r.result), escapeCell(r.details)]),
  );
  const checkTable = markdownTable(
    ["Target", "Measured", "Verdict"],
    checks.map((c) => [escapeCell(c.target), escapeCell(c.measured), escapeCell(c.verdict)]),
  );
  return [
    "# ftpwire benchmark results",
    "",
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${machineLine()}`,
    `- Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\``,
    `- Suites in this table: ${suitesRun.join(", ")}; ${o.runs} run(s) per row (median shown)${o.quick ? "; --quick sizes" : ""}`,
    "- Method: docs/performance.md",
    ...(childRuntimeNote() ? [`- Note: ${childRuntimeNote()}`] : []),
    "",
    table,
    "",
    "## Targets (ratios against baselines measured in this run)",
    "",
    checks.length > 0 ? checkTable : "(no target depends only on the suites run)",
    "",
  ].join("\n");
}

function defaultOut(): string {
  const name = options().quick ? "results.quick.md" : "results.md";
  return fileURLToPath(new URL(`../${name}`, import.meta.url));
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  let done = false;
  // "exit" also fires when a suite crashed, so the rows measured so far are
  // never lost. Everything below is synchronous, as "exit" requires.
  process.on("exit", () => {
    if (done || rows.length === 0) return;
    done = true;
    const report = renderReport(evaluateChecks());
    console.log(`\n${report}`);
    const out = options().out ?? defaultOut();
    writeFileSync(out, report);
    console.log(`(written to ${out})`);
  });
}
