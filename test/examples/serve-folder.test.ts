// The examples are what users copy: they import the package by its name and
// take their ports from the command line (issue 12: serve-folder imported
// ../src/index.js and hard-coded its port and passive range).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Client } from "../../src/index.js";

const examples = join(import.meta.dirname, "..", "..", "examples");

test("every example imports ftpwire by its package name, never the sources by path", async () => {
  const files = (await readdir(examples)).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length >= 4, `examples found: ${files.join(", ")}`);
  for (const file of files) {
    const text = await readFile(join(examples, file), "utf8");
    assert.doesNotMatch(text, /from "\.\.?\/(src|dist)\//, `${file} imports by path`);
    assert.match(text, /from "ftpwire";/, `${file} imports "ftpwire"`);
  }
});

test("serve-folder listens on the port given with --port (0: a free one) and serves the folder", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "ftpwire-serve-folder-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const child = spawn(process.execPath, ["--import", "tsx", join(examples, "serve-folder.ts"), root, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 60_000,
  });
  const exited = once(child, "exit");
  t.after(() => child.kill("SIGKILL"));
  const lines = createInterface({ input: child.stdout });
  let url: URL | undefined;
  for await (const line of lines) {
    const match = /^serving .* on (ftp:\/\/\S+)$/.exec(line);
    if (match) {
      url = new URL(match[1]!);
      break;
    }
  }
  assert.ok(url, "the example printed where it listens");
  assert.equal(url.hostname, "127.0.0.1");
  assert.notEqual(Number(url.port), 2121, "a free port, not the default");
  assert.ok(Number(url.port) > 0);

  const client = await Client.connect({ host: url.hostname, port: Number(url.port), user: "alice", password: "wonderland" });
  try {
    await client.upload(Buffer.from("from the test"), "/note.txt");
    assert.deepEqual((await client.list("/")).map((e) => e.name), ["note.txt"]);
    assert.match((await client.send("SITE WHOAMI")).lines.join(" "), /alice from 127\.0\.0\.1/);
  } finally {
    await client.close();
  }
  assert.equal(await readFile(join(root, "alice", "note.txt"), "utf8"), "from the test");

  child.kill("SIGINT"); // the example closes the server and exits 0 on SIGINT
  const [code] = await exited;
  assert.equal(code, 0);
});

test("serve-folder refuses a malformed --passive range with a clear message", async () => {
  const root = await mkdtemp(join(tmpdir(), "ftpwire-serve-folder-"));
  try {
    const child = spawn(process.execPath, ["--import", "tsx", join(examples, "serve-folder.ts"), root, "--port", "0", "--passive", "50000"], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 60_000,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, "exit");
    assert.notEqual(code, 0);
    assert.match(stderr, /--passive must look like 50000-50100, got 50000/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
