// Benchmark dispatcher: `npm run bench -- <suite> [...]` runs the named
// suites, `npm run bench` runs all of them. A suite is a module exporting
// `run(): Promise<void>`; add one by adding a line to SUITES.
interface Suite {
  run(): Promise<void>;
}

const SUITES: Readonly<Record<string, () => Promise<Suite>>> = {
  protocol: () => import("./protocol.js"),
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const names = requested.length > 0 ? requested : Object.keys(SUITES);
  const unknown = names.filter((n) => !(n in SUITES));
  if (unknown.length > 0) {
    console.error(`Unknown bench suite(s): ${unknown.join(", ")}. Known: ${Object.keys(SUITES).join(", ")}`);
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
