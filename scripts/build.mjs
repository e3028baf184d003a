// Builds the dual package: ESM in dist/esm, CommonJS in dist/cjs, each with
// its own declarations. A package.json in each folder tells Node (and type
// checkers) which module system the .js and .d.ts files there use.
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");

rmSync("dist", { recursive: true, force: true });
for (const [project, type] of [["tsconfig.build.json", "module"], ["tsconfig.cjs.json", "commonjs"]]) {
  execFileSync(process.execPath, [tsc, "-p", project], { stdio: "inherit" });
  const dir = type === "module" ? "dist/esm" : "dist/cjs";
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + "\n");
}
// The `ftpwire` bin (package.json "bin"): npm makes it executable when it
// installs the package; this makes the local build runnable as well.
chmodSync("dist/esm/cli/main.js", 0o755);
