// A sync killed halfway (a child process, SIGKILL) and run again transfers
// only what was missing: complete files are skipped, the partial one is
// resumed, the rest sent. Real sockets: ftpwire's server on a temp dir.
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "../../src/client/client.js";
import { createServer } from "../../src/server/ftp-server.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";

const FILES = 12;
const SIZE = 4 * 1024 * 1024;

it("a sync killed with SIGKILL halfway, run again, sends only what is missing and ends identical", async (t) => {
  const remote = await mkdtemp(join(tmpdir(), "ftpwire-restart-remote-"));
  const local = await mkdtemp(join(tmpdir(), "ftpwire-restart-local-"));
  t.after(() => Promise.all([rm(remote, { recursive: true, force: true }), rm(local, { recursive: true, force: true })]));
  const contents = new Map<string, Buffer>();
  for (let i = 0; i < FILES; i++) {
    const data = randomBytes(SIZE);
    contents.set(`f${String(i).padStart(2, "0")}.bin`, data);
    await writeFile(join(local, `f${String(i).padStart(2, "0")}.bin`), data);
  }
  const server = createServer({ authenticate: () => ({ fileSystem: new LocalFileSystem(remote) }) });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => server.close());

  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./sync-child.ts", import.meta.url)), String(port), local, "/m", String(3.5 * SIZE)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("started")) resolve();
    });
    child.once("exit", () => reject(new Error(`child ended before it started: ${output}`)));
  });
  child.kill("SIGKILL");
  const [, signal] = await exited;
  assert.equal(signal, "SIGKILL");
  assert.ok(!output.includes("finished"), "killed before the end");

  const client = await Client.connect({ host: "127.0.0.1", port, user: "u", password: "p" });
  t.after(() => client.close());
  const report = await client.sync(local, "/m", { direction: "upload" });
  t.diagnostic(`second run: ${report.skipped.length} skipped, ${report.resumed.length} resumed, ${report.transferred.length} sent, ${report.bytes} bytes`);
  assert.deepEqual(report.failed, []);
  assert.equal(report.transferred.length + report.skipped.length, FILES);
  assert.ok(report.skipped.length >= 3, `the files finished before the kill are skipped: ${report.skipped.join(", ")}`);
  assert.ok(report.resumed.length <= 1, `at most the one in flight resumes: ${report.resumed.join(", ")}`);
  const missing = FILES * SIZE - report.skipped.length * SIZE;
  assert.ok(report.bytes <= missing, `sent ${report.bytes} of the ${missing} bytes not skipped`);
  if (report.resumed.length === 1) assert.ok(report.bytes < missing, "the resumed file was not sent whole");
  for (const [name, data] of contents) assert.ok((await readFile(join(remote, "m", name))).equals(data), `${name} identical`);
  const again = await client.sync(local, "/m", { direction: "upload" });
  assert.equal(again.transferred.length, 0);
});
