// The bin as an outsider gets it: `npm pack`, installed offline into an
// empty project, then `npx ftpwire --help` and `ftpwire serve` (driven by
// curl) from node_modules/.bin. Reads dist/ as published: run `npm run
// build` first (CI does).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requirePeer } from "../support/require-peer.js";
import { runCommand } from "../support/tools.js";

const root = join(import.meta.dirname, "..", "..");
const built = existsSync(join(root, "dist", "esm", "cli", "main.js"));
const skip = !built && !process.env.CI ? "dist/ missing: run npm run build" : false;
const CHILD_TIMEOUT_MS = 180_000;
let project = "";

function run(command: string, args: readonly string[], cwd: string): string {
  const child = spawnSync(command, args, { cwd, encoding: "utf8", timeout: CHILD_TIMEOUT_MS, env: { ...process.env, NODE_OPTIONS: "" } });
  assert.equal(child.error, undefined, `${command} ${args.join(" ")}: ${String(child.error)}`);
  assert.equal(child.status, 0, `${command} ${args.join(" ")} exited with ${child.status}:\n${child.stdout}${child.stderr}`);
  return child.stdout;
}

before(() => {
  if (skip) return;
  assert.ok(built, "dist/esm/cli/main.js must exist (npm run build)");
  project = mkdtempSync(join(tmpdir(), "ftpwire-bin-"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--silent", "--pack-destination", project], root)) as [{ filename: string; files: { path: string }[] }];
  assert.ok(packed[0].files.some((f) => f.path === "dist/esm/cli/main.js"), "the bin is in the tarball");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "outsider", version: "1.0.0", private: true }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", join(project, packed[0].filename)], project);
});

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test("npx ftpwire --help runs the installed bin", { skip }, () => {
  const out = run("npx", ["--offline", "ftpwire", "--help"], project);
  assert.match(out, /^ftpwire — FTP and FTPS from the command line$/m);
  assert.match(out, /^ {2}serve /m);
});

test("the installed ftpwire serve serves a folder to curl and exits 0 on SIGINT", { skip }, async (t) => {
  if (!(await requirePeer(t, "curl"))) return;
  const dir = join(project, "public");
  mkdirSync(dir);
  writeFileSync(join(dir, "readme.txt"), "from the tarball\n");
  const child = spawn(join(project, "node_modules", ".bin", "ftpwire"), ["serve", "--port", "0", dir], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  const exited = once(child, "exit");
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
      const check = () => {
        const m = /ftp:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) {
          clearTimeout(timer);
          child.stdout.off("data", check);
          resolve(m[0]);
        }
      };
      child.stdout.on("data", check);
      check();
    });
    const got = await runCommand("/usr/bin/curl", ["--silent", "--show-error", "--max-time", "20", `${url}readme.txt`], { timeoutMs: 30_000 });
    assert.equal(got.stdout, "from the tarball\n");
  } finally {
    child.kill("SIGINT");
  }
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code] = await exited;
  clearTimeout(killer);
  assert.equal(code, 0, "SIGINT closes the server and exits 0 (not killed)");
});
