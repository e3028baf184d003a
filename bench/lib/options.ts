// Command-line options shared by every suite: `--runs N` (default 3),
// `--quick` (smaller sizes for a sanity run) and `--out FILE`. Both
// `--runs 5` and `--runs=5` are accepted.

export interface BenchOptions {
  /** Repetitions per row; the table shows the median. */
  runs: number;
  quick: boolean;
  /** Where the combined table goes; default bench/results.md (quick runs: bench/results.quick.md). */
  out: string | undefined;
  /** Client used to generate load in the sessions suite. */
  sessionsClient: "basic-ftp" | "ftpwire";
}

/** Options that take a value, so the dispatcher can tell a value from a suite name. */
export const VALUE_OPTIONS: readonly string[] = ["--runs", "--out", "--sessions-client"];

function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

export function parseOptions(argv: readonly string[] = process.argv.slice(2)): BenchOptions {
  const runsText = optionValue(argv, "--runs");
  const runs = runsText === undefined ? 3 : Number(runsText);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`--runs must be an integer 1..50, got ${runsText}`);
  const client = optionValue(argv, "--sessions-client") ?? "basic-ftp";
  if (client !== "basic-ftp" && client !== "ftpwire") throw new Error(`--sessions-client must be basic-ftp or ftpwire`);
  return { runs, quick: argv.includes("--quick"), out: optionValue(argv, "--out"), sessionsClient: client };
}

let cached: BenchOptions | undefined;
export function options(): BenchOptions {
  cached ??= parseOptions();
  return cached;
}

/** Full size, or the quick size when --quick is given. */
export function sized<T>(full: T, quick: T): T {
  return options().quick ? quick : full;
}
