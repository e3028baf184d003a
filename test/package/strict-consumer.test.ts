// The package as a user gets it: `npm pack`, installed into an empty
// project, a consumer file (./consumer/consumer.ts) type-checked with the
// strictest settings a user may have and every module resolution that reads
// our `exports`, then the installed ESM and CommonJS entry points run.
// Issue 12: the published .d.ts imported `debug`, so `skipLibCheck: false`
// failed with TS7016 unless the user installed @types/debug; nothing in the
// repo noticed, because the repo has @types/debug and type-checks src/.
// Reads dist/ as published: run `npm run build` first (CI does).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const built = existsSync(join(root, "dist", "esm", "index.d.ts")) && existsSync(join(root, "dist", "cjs", "index.d.ts"));
const skip = !built && !process.env.CI ? "dist/ missing: run npm run build" : false;
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
/** Each child process (npm, tsc, node) gets this long; the whole file stays well under a minute on an idle machine. */
const CHILD_TIMEOUT_MS = 180_000;

let project = "";

function run(command: string, args: readonly string[], cwd: string): string {
  const child = spawnSync(command, args, { cwd, encoding: "utf8", timeout: CHILD_TIMEOUT_MS, env: { ...process.env, NODE_OPTIONS: "" } });
  const output = `${child.stdout ?? ""}${child.stderr ?? ""}`;
  assert.equal(child.error, undefined, `${command} ${args.join(" ")}: ${String(child.error)}`);
  assert.equal(child.status, 0, `${command} ${args.join(" ")} exited with ${child.status}:\n${output}`);
  return output;
}

/** What a strict user may set; each test adds its module settings. */
const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  skipLibCheck: false,
  target: "ES2022",
  types: ["node"],
};

before(() => {
  if (skip) return;
  assert.ok(built, "dist/esm and dist/cjs must exist (npm run build)");
  project = mkdtempSync(join(tmpdir(), "ftpwire-consumer-"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--silent", "--pack-destination", project], root)) as [{ filename: string }];
  const tarball = join(project, packed[0].filename);
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
  const typesNode = lock.packages["node_modules/@types/node"]!.version;
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
  // What a user installs: the tarball and Node's types (a dependency of any
  // TypeScript program on Node), nothing of our dev dependencies. From the
  // npm cache when it has them, as `npm ci` left it.
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, `@types/node@${typesNode}`], project);
  copyFileSync(join(import.meta.dirname, "consumer", "consumer.ts"), join(project, "consumer.ts"));
  copyFileSync(join(import.meta.dirname, "consumer", "consumer.ts"), join(project, "consumer.cts"));
});

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function typeCheck(name: string, compilerOptions: Record<string, unknown>, file: string, outDir?: string): void {
  const config = join(project, `tsconfig.${name}.json`);
  const emit = outDir === undefined ? { noEmit: true } : { outDir, rootDir: "." };
  writeFileSync(config, JSON.stringify({ compilerOptions: { ...STRICT, ...compilerOptions, ...emit }, files: [file] }));
  run(process.execPath, [tsc, "-p", config, "--pretty", "false"], project);
}

test("the consumer type-checks under node16 resolution as ESM, and runs", { skip }, () => {
  typeCheck("node16-esm", { module: "node16", moduleResolution: "node16" }, "consumer.ts", "out-esm");
  const output = run(process.execPath, ["--input-type=module", "-e", "import('./out-esm/consumer.js').then((m) => m.main())"], project);
  assert.match(output, /\/A\.TXT 5/, "the server saw the client's upload");
});

test("the consumer type-checks under node16 resolution as CommonJS (.cts), and runs", { skip }, () => {
  typeCheck("node16-cjs", { module: "node16", moduleResolution: "node16" }, "consumer.cts", "out-cjs");
  const output = run(process.execPath, ["-e", "require('./out-cjs/consumer.cjs').main()"], project);
  assert.match(output, /\/A\.TXT 5/, "the server saw the client's upload");
});

test("the consumer type-checks under bundler resolution", { skip }, () => {
  typeCheck("bundler", { module: "esnext", moduleResolution: "bundler" }, "consumer.ts");
});

test("the consumer type-checks under node10 resolution (the `types` field)", { skip }, () => {
  typeCheck("node10", { module: "commonjs", moduleResolution: "node10" }, "consumer.cts");
});

test("the installed entry points load with import and require, and agree", { skip }, () => {
  const probe = "const f = %s; if (typeof f.Client !== 'function' || typeof f.createServer !== 'function') throw new Error('missing exports'); " +
    "if (!(new f.FtpTimeoutError('x') instanceof f.FtpError)) throw new Error('instanceof'); console.log(Object.keys(f).sort().join(','));";
  const esm = run(process.execPath, ["--input-type=module", "-e", probe.replace("%s", "await import('ftpwire')")], project);
  const cjs = run(process.execPath, ["-e", probe.replace("%s", "require('ftpwire')")], project);
  assert.equal(esm.trim(), cjs.trim(), "both builds export the same names");
  assert.match(esm, /(^|,)Client,/);
});

/** The first ```js block of the README's "Quick start" section. */
function quickStart(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Quick start\n"));
  assert.ok(section, "the README has a Quick start section");
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, "with a ```js block");
  return code;
}

test("the README's Quick start runs as-is as a plain .mjs file on the installed package", { skip }, () => {
  writeFileSync(join(project, "quick-start.mjs"), quickStart());
  const output = run(process.execPath, ["quick-start.mjs"], project);
  assert.match(output, /^file hello\.txt 15$/m, "the listing");
  assert.match(output, /^hello over FTP$/m, "the downloaded text");
  assert.match(output, /^ERR_FTP_REPLY 550$/m, "the typed error");
});
