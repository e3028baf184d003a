// Benchmark dispatcher: `npm run bench -- <suite> [...]` runs the named
// suites, `npm run bench` runs all of them. A suite is a module exporting
// `run(): Promise<void>`; add one by adding a line to SUITES. Options
// (`--runs N`, `--quick`, `--out FILE`, `--sessions-client NAME`) are read by
// bench/lib/options.ts; see docs/performance.md.
import { options, VALUE_OPTIONS } from "./lib/options.js";

interface Suite {
  run(): Promise<void>;
}

const SUITES: Readonly<Record<string, () => Promise<Suite>>> = {
  protocol: () => import("./protocol.js"),
  loopback: () => import("./loopback.js"),
  large: () => import("./large.js"),
  small: () => import("./small.js"),
  listing: () => import("./listing.js"),
  sessions: () => import("./sessions.js"),
  memory: () => import("./memory.js"),
  sync: () => import("./sync.js"),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // The value of an option that takes one (`--runs 5`) is not a suite name.
  const requested = args.filter((a, i) => !a.startsWith("-") && !VALUE_OPTIONS.includes(args[i - 1] ?? ""));
  const names = requested.length > 0 ? requested : Object.keys(SUITES);
  const unknown = names.filter((n) => !(n in SUITES));
  if (unknown.length > 0) {
    console.error(`Unknown bench suite(s): ${unknown.join(", ")}. Known: ${Object.keys(SUITES).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  try {
    options(); // reject a bad --runs before anything runs
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
    return;
  }
  for (const name of names) {
    console.log(`# ${name}`);
    const suite = await SUITES[name]!();
    await suite.run();
  }
}

await main();
