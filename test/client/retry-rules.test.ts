// The rules for commands that are not idempotent: the server carries the
// command out, the connection breaks before its reply reaches the client,
// and the retry on a new connection finds the work done. The storage cuts
// the relayed control connection right after the change, before the server
// can answer, so the lost reply is certain rather than a race.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../../src/client/client.js";
import type { RetryEvent } from "../../src/client/retry-loop.js";
import { FtpReplyError } from "../../src/errors.js";
import { createServer } from "../../src/server/ftp-server.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { startFaultRelay, type FaultRelay } from "../support/fault-relay.js";

type Op = "unlink" | "rmdir" | "mkdir" | "rename";

/** LocalFileSystem that, once armed for an operation, cuts the control connection right after doing it. */
class CuttingFileSystem extends LocalFileSystem {
  armed: Op | undefined;
  cut: () => void = () => {};
  private after(op: Op): void {
    if (this.armed !== op) return;
    this.armed = undefined;
    this.cut();
  }
  override async unlink(path: string): Promise<void> {
    await super.unlink(path);
    this.after("unlink");
  }
  override async rmdir(path: string): Promise<void> {
    await super.rmdir(path);
    this.after("rmdir");
  }
  override async mkdir(path: string): Promise<void> {
    await super.mkdir(path);
    this.after("mkdir");
  }
  override async rename(from: string, to: string): Promise<void> {
    await super.rename(from, to);
    this.after("rename");
  }
}

async function setup(t: TestContext): Promise<{ client: Client; fs: CuttingFileSystem; root: string; relay: FaultRelay; retries: RetryEvent[] }> {
  const root = await mkdtemp(join(tmpdir(), "ftpwire-rules-"));
  const fs = new CuttingFileSystem(root);
  const server = createServer({ authenticate: () => ({ fileSystem: fs }), limits: { failedLoginDelayMs: 0 } });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const relay = await startFaultRelay({ host: "127.0.0.1", port });
  fs.cut = () => relay.cutControl();
  const client = await Client.connect({
    host: relay.host, port: relay.port, user: "u", password: "p",
    timeouts: { control: 5000, data: 5000 }, retry: { attempts: 2, minDelayMs: 0, maxDelayMs: 0 },
  });
  const retries: RetryEvent[] = [];
  client.on("retry", (e) => retries.push(e));
  t.after(async () => {
    await client.close();
    await relay.close();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });
  return { client, fs, root, relay, retries };
}

const gone = (path: string) => stat(path).then(() => false, () => true);

describe("non-idempotent commands retried after a lost reply", () => {
  it("DELE: the retry's 550 counts as done", async (t) => {
    const { client, fs, root, relay, retries } = await setup(t);
    await writeFile(join(root, "f.txt"), "x");
    fs.armed = "unlink";
    await client.remove("f.txt");
    assert.equal(retries.length, 1);
    assert.equal(relay.controlConnections, 2);
    assert.ok(await gone(join(root, "f.txt")));
  });

  it("DELE of a file that never existed still rejects with 550 (the rule needs a lost reply)", async (t) => {
    const { client, retries } = await setup(t);
    await assert.rejects(client.remove("missing.txt"), (e: unknown) => e instanceof FtpReplyError && e.replyCode === 550);
    assert.equal(retries.length, 0);
  });

  it("RMD: the retry's 550 counts as done when the directory is gone", async (t) => {
    const { client, fs, root, retries } = await setup(t);
    await mkdir(join(root, "d"));
    fs.armed = "rmdir";
    await client.rmdir("d");
    assert.equal(retries.length, 1);
    assert.ok(await gone(join(root, "d")));
  });

  it("MKD: the retry's 550 counts as done when the directory is there", async (t) => {
    const { client, fs, root, retries } = await setup(t);
    fs.armed = "mkdir";
    await client.mkdir("new");
    assert.equal(retries.length, 1);
    assert.ok((await stat(join(root, "new"))).isDirectory());
  });

  it("MKD where a file of that name exists is not mistaken for done", async (t) => {
    const { client, root } = await setup(t);
    await writeFile(join(root, "plain"), "x");
    await assert.rejects(client.mkdir("plain"), (e: unknown) => e instanceof FtpReplyError && e.replyCode === 550);
  });

  it("RNFR/RNTO: the retry's RNFR 550 counts as done when the target exists", async (t) => {
    const { client, fs, root, retries } = await setup(t);
    await writeFile(join(root, "from.txt"), "x");
    fs.armed = "rename";
    await client.rename("from.txt", "to.txt");
    assert.equal(retries.length, 1);
    assert.ok(await gone(join(root, "from.txt")));
    assert.equal((await stat(join(root, "to.txt"))).size, 1);
  });
});
