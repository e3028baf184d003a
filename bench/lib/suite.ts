// Helpers for writing a suite: medians over --runs repetitions, and rows
// that turn any failure into "n/a (reason)" instead of stopping the bench.
import { options } from "./options.js";
import { recordNa } from "./results.js";
import { median } from "./stats.js";

/** Runs `once` --runs times; returns the median of every numeric field. */
export async function medianOf<T extends Record<string, number>>(once: (run: number) => Promise<T>): Promise<T & { runs: number }> {
  const samples: T[] = [];
  for (let i = 0; i < options().runs; i++) samples.push(await once(i));
  const out: Record<string, number> = { runs: samples.length };
  for (const k of Object.keys(samples[0] ?? {})) out[k] = median(samples.map((s) => s[k]!));
  return out as T & { runs: number };
}

export function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0] ?? text;
}

/** Runs one row; an exception becomes an n/a row with the error as reason. */
export async function row(suite: string, key: string, label: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    recordNa(suite, key, label, reasonOf(e));
  }
}
