// The facade: options validation, hooks (beforeCommand, authenticate throwing), error events,
// storage error replies, and close() with a grace period.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, symlink, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex, PassThrough, Writable } from "node:stream";
import { connect, createServer as createNetServer } from "node:net";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { createServer } from "../../src/server/ftp-server.js";
import { FtpInvalidOptionError } from "../../src/errors.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { FileSystemError } from "../../src/storage/file-system.js";
import { startServer, readAll, writeAll, TestClient } from "./helpers/ftp-test-client.js";
import { SERVER_DEFAULTS } from "../../src/server/defaults.js";
import { REPLY_TEXTS } from "../../src/protocol/reply-codes.js";

const auth = () => ({ fileSystem: new MemoryFileSystem() });

describe("server options", () => {
  it("bad options throw FtpInvalidOptionError at createServer()", () => {
    const bad: unknown[] = [
      {},
      { authenticate: "no" },
      { authenticate: auth, passive: { portRange: [3000, 2000] } },
      { authenticate: auth, passive: { portRange: [80, 2000] } },
      { authenticate: auth, passive: { portRange: [3000] } },
      { authenticate: auth, passive: { publicAddress: "0.0.0.0" } },
      { authenticate: auth, passive: { publicAddress: "::1" } },
      { authenticate: auth, passive: { publicAddress: 5 } },
      { authenticate: auth, limits: { maxConnections: 0 } },
      { authenticate: auth, timeouts: { idle: -1 } },
      { authenticate: auth, timeouts: { idle: 0 } },
      { authenticate: auth, timeouts: 5 },
      { authenticate: auth, timeouts: { connect: 1000 } },
      // Renamed options fail instead of being ignored.
      { authenticate: auth, limits: { idleTimeoutMs: 1000 } },
      { authenticate: auth, allowForeignDataAddress: true },
      { authenticate: auth, requireTLS: "none" },
      { authenticate: auth, implicitTls: false },
      { authenticate: auth, limits: { maxLineLength: 1.5 } },
      { authenticate: auth, allowFxp: "yes" },
      { authenticate: auth, site: { "two words": () => undefined } },
      { authenticate: auth, site: { CHMOD: () => undefined } },
      { authenticate: auth, greeting: 42 },
      { authenticate: auth, beforeCommand: 1 },
    ];
    for (const options of bad) {
      assert.throws(() => createServer(options as Parameters<typeof createServer>[0]), FtpInvalidOptionError, JSON.stringify(options));
    }
    assert.doesNotThrow(() => createServer({ authenticate: auth, passive: { portRange: [50000, 50010], publicAddress: "203.0.113.1" } }));
  });

  it("custom greeting, multi-line", async () => {
    const t = await startServer({ greeting: ["Welcome", "to the test"] });
    try {
      const c = await t.connect();
      assert.equal((await c.cmd("NOOP")).code, 200);
      const server = createServer({ authenticate: auth, greeting: ["Welcome", "to the test"] });
      const address = await server.listen({ host: "127.0.0.1", port: 0 });
      const { TestClient } = await import("./helpers/ftp-test-client.js");
      const d = await TestClient.connect(address.port, "127.0.0.1", false);
      const greeting = await d.reply();
      assert.deepEqual([greeting.code, greeting.lines], [220, ["Welcome", "to the test"]]);
      d.close();
      await server.close({ graceMs: 0 });
    } finally {
      await t.close();
    }
  });
});

describe("server hooks", () => {
  it("beforeCommand can allow, deny with a reply, or rewrite; PASS never reaches it", async () => {
    const seen: string[] = [];
    const t = await startServer({
      beforeCommand: ({ verb }) => {
        seen.push(verb);
        if (verb === "DELE") return { action: "deny", code: 550, text: "Deleting is not allowed here" };
        if (verb === "XYZ") return { action: "rewrite", verb: "PWD", arg: "" };
        return undefined;
      },
    });
    try {
      const c = await t.login();
      const dele = await c.cmd("DELE /x");
      assert.deepEqual([dele.code, dele.message], [550, "Deleting is not allowed here"]);
      assert.equal((await c.cmd("XYZ")).code, 257);
      assert.ok(!seen.includes("PASS"));
      assert.ok(seen.includes("USER"));
    } finally {
      await t.close();
    }
  });

  it("a throwing authenticate hook gives 530 and an error event; the server keeps running", async () => {
    const t = await startServer({
      authenticate: ({ username }) => {
        if (username === "boom") throw new Error("database down");
        return { fileSystem: new MemoryFileSystem(), cwd: "/" };
      },
    });
    const errors: Error[] = [];
    t.server.on("error", (e) => errors.push(e));
    try {
      const c = await t.connect();
      await c.cmd("USER boom");
      const r = await c.cmd("PASS x");
      assert.equal(r.code, 530);
      assert.ok(!r.message.includes("database"));
      assert.equal(errors[0]?.message, "database down");
      await c.login("other", "x");
    } finally {
      await t.close();
    }
  });

  it("a listener that throws does not break the session", async () => {
    const t = await startServer();
    t.server.on("command", () => {
      throw new Error("listener bug");
    });
    t.server.on("error", () => {});
    try {
      const c = await t.login();
      assert.equal((await c.cmd("NOOP")).code, 200);
    } finally {
      await t.close();
    }
  });

  it("authenticate's cwd is the starting directory", async () => {
    const fs = new MemoryFileSystem({ "/home/alice/": "" });
    const t = await startServer({ authenticate: () => ({ fileSystem: fs, cwd: "home/alice" }) });
    try {
      const c = await t.login();
      assert.match((await c.cmd("PWD")).message, /^"\/home\/alice"/);
    } finally {
      await t.close();
    }
  });
});

describe("storage errors over the wire", () => {
  it("never leak real paths: a symlink out of the root gets 550 with a fixed text", async () => {
    const base = await mkdtemp(join(tmpdir(), "ftpwire-srv-"));
    await mkdir(join(base, "root"));
    await writeFile(join(base, "secret"), "s");
    await symlink(join(base, "secret"), join(base, "root", "link"));
    const t = await startServer({}, new LocalFileSystem(join(base, "root")));
    try {
      const c = await t.login();
      const size = await c.cmd("SIZE /link");
      assert.equal(size.code, 550);
      assert.ok(!size.message.includes(base));
      const data = await c.pasv();
      const retr = await c.cmd("RETR /link");
      assert.equal(retr.code, 550);
      assert.ok(!retr.message.includes(base));
      data.destroy();
      const cwd = await c.cmd("CWD /missing");
      assert.equal(cwd.code, 550);
      assert.ok(!cwd.message.includes(base));
    } finally {
      await t.close();
      await rm(base, { recursive: true, force: true });
    }
  });

  it("ENOSPC during STOR → 452 (not 226) and the upload event says aborted", async () => {
    const fs = new MemoryFileSystem();
    fs.write = async () =>
      new Writable({
        write(_chunk, _enc, cb) {
          cb(new FileSystemError("ENOSPC", "/real/disk is full"));
        },
      });
    const t = await startServer({}, fs);
    const events: boolean[] = [];
    t.server.on("upload", (e) => events.push(e.aborted));
    try {
      const c = await t.login();
      const data = await c.pasv();
      assert.equal((await c.cmd("STOR /full.bin")).code, 150);
      data.on("error", () => {});
      data.end(randomBytes(1000));
      const r = await c.reply();
      assert.equal(r.code, 452);
      assert.ok(!r.message.includes("/real"));
      assert.deepEqual(events, [true]);
      assert.equal((await c.cmd("NOOP")).code, 200);
    } finally {
      await t.close();
    }
  });
});

describe("server close()", () => {
  it("lets a running transfer finish within the grace period, then 421 to every session", async () => {
    const big = randomBytes(8 * 1024 * 1024);
    const t = await startServer({}, new MemoryFileSystem({ "/big.bin": big }));
    const c = await t.login();
    const idle = await t.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    assert.equal((await c.cmd("RETR /big.bin")).code, 150);
    data.pause();
    const closing = t.server.close({ graceMs: 5000 });
    let closedEvent = false;
    t.server.once("close", () => (closedEvent = true));
    await new Promise((r) => setTimeout(r, 100));
    data.resume();
    assert.equal((await readAll(data, 10_000)).length, big.length);
    assert.equal((await c.reply()).code, 226);
    assert.equal((await c.reply()).code, 421);
    assert.equal((await idle.reply()).code, 421);
    await closing;
    assert.ok(closedEvent);
  });

  it("after the grace period the transfer is cut (426) and sessions get 421", async () => {
    const t = await startServer({}, new MemoryFileSystem({ "/big.bin": randomBytes(8 * 1024 * 1024) }));
    const c = await t.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    assert.equal((await c.cmd("RETR /big.bin")).code, 150);
    data.pause();
    await t.server.close({ graceMs: 100 });
    const codes = [(await c.reply()).code, (await c.reply()).code];
    assert.deepEqual(codes, [426, 421]);
    data.destroy();
  });

  it("resolves only after every session is gone and its 'disconnect' was emitted (issue 11 defect 5)", async () => {
    const t = await startServer({}, new MemoryFileSystem({ "/big.bin": randomBytes(4 * 1024 * 1024) }));
    const disconnected: number[] = [];
    t.server.on("disconnect", ({ session }) => disconnected.push(session.id));
    const clients = [await t.login(), await t.login(), await t.connect(), await t.login()];
    // One session in a transfer whose client never reads: it ends by the grace period's 426.
    const busy = clients[0]!;
    await busy.cmd("TYPE I");
    const data = await busy.pasv();
    data.pause();
    assert.equal((await busy.cmd("RETR /big.bin")).code, 150);
    const ids = t.server.connections.map((s) => s.id).sort();
    assert.equal(ids.length, clients.length);
    await t.server.close({ graceMs: 0 });
    assert.deepEqual(t.server.connections.map((s) => s.id), []);
    assert.deepEqual(disconnected.sort(), ids);
    data.destroy();
    for (const c of clients) c.close();
  });

  it("emits listening with the bound address, and stops accepting connections after close()", async () => {
    const server = createServer({ authenticate: auth });
    const heard: number[] = [];
    server.on("listening", (a) => heard.push(a.port));
    const address = await server.listen({ host: "127.0.0.1", port: 0 });
    assert.deepEqual(heard, [address.port]);
    assert.equal(server.address()?.port, address.port);
    await server.close();
    const t = await startServer();
    const port = t.port;
    await t.close();
    const s = connect({ host: "127.0.0.1", port });
    const [error] = (await once(s, "error")) as [NodeJS.ErrnoException];
    assert.equal(error.code, "ECONNREFUSED");
  });
});

describe("MemoryFileSystem", () => {
  it("seeds files and directories, and keeps uploads atomic", async () => {
    const fs = new MemoryFileSystem({ "/a/b.txt": "b", "/c/": "" });
    assert.deepEqual((await fs.list("/")).map((e) => [e.name, e.type]).sort(), [
      ["a", "directory"],
      ["c", "directory"],
    ]);
    const w = await fs.write("/a/b.txt");
    w.write("new");
    w.on("error", () => {});
    w.destroy(new Error("abort"));
    assert.equal(fs.readFileSync("/a/b.txt").toString(), "b");
    await assert.rejects(fs.rename("/a", "/a/inside"), { code: "EINVAL" });
    await assert.rejects(fs.write("/c"), { code: "EISDIR" });
    await assert.rejects(fs.list("/a/b.txt"), { code: "ENOTDIR" });
    const t = await startServer({}, fs);
    try {
      const c = await t.login();
      const data = await c.pasv();
      assert.equal((await c.cmd("STOR /c/up.txt")).code, 150);
      await writeAll(data, "up");
      assert.equal((await c.reply()).code, 226);
      assert.equal(fs.readFileSync("/c/up.txt").toString(), "up");
    } finally {
      await t.close();
    }
  });
});

describe("server API shape (issue 18)", () => {
  it("SERVER_DEFAULTS and REPLY_TEXTS cannot be changed at run time", () => {
    const defaults = SERVER_DEFAULTS as unknown as Record<string, Record<string, unknown>>;
    // Modules run in strict mode: writing a frozen property throws.
    assert.throws(() => (defaults.greeting = "changed" as never), TypeError);
    assert.throws(() => (defaults.timeouts!.idle = 1), TypeError);
    assert.throws(() => (defaults.limits!.maxConnections = 1), TypeError);
    assert.equal(SERVER_DEFAULTS.timeouts.idle, 300_000);
    assert.equal(SERVER_DEFAULTS.limits.maxConnections, 512);
    const texts = REPLY_TEXTS as Map<number, string>;
    const before = texts.get(200);
    assert.throws(() => texts.set(200, "changed"), TypeError);
    assert.throws(() => texts.delete(200), TypeError);
    assert.throws(() => texts.clear(), TypeError);
    assert.equal(texts.get(200), before);
    // A server made after the attempts still gets the defaults.
    assert.equal(createServer({ authenticate: auth }).options.timeouts.idle, 300_000);
  });

  it("timeouts are resolved from the defaults, each one overridable", () => {
    const server = createServer({ authenticate: auth, timeouts: { data: 1234 } });
    assert.deepEqual(server.options.timeouts, { ...SERVER_DEFAULTS.timeouts, data: 1234 });
  });

  it("await using closes the server (Symbol.asyncDispose)", async () => {
    let closed = false;
    let port = 0;
    {
      await using server = createServer({ authenticate: auth });
      server.once("close", () => (closed = true));
      port = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
    }
    assert.ok(closed);
    const s = connect({ host: "127.0.0.1", port });
    const [error] = (await once(s, "error")) as [NodeJS.ErrnoException];
    assert.equal(error.code, "ECONNREFUSED");
  });

  it("handleConnection serves a socket from the application's own listener", async () => {
    const server = createServer({ authenticate: ({ username }) => (username === "alice" ? { fileSystem: new MemoryFileSystem() } : null) });
    const own = createNetServer((socket) => server.handleConnection(socket));
    own.listen(0, "127.0.0.1");
    await once(own, "listening");
    try {
      const c = await TestClient.connect((own.address() as { port: number }).port);
      await c.login("alice", "x");
      assert.equal((await c.cmd("MKD /made")).code, 257);
      assert.equal(server.connections.length, 1);
      assert.equal(server.connections[0]!.remoteAddress, "127.0.0.1");
      await server.close({ graceMs: 0 });
      assert.equal(server.connections.length, 0);
    } finally {
      own.close();
    }
  });

  it("handleConnection serves any Duplex; close() waits for its session too", async () => {
    const server = createServer({ authenticate: () => ({ fileSystem: new MemoryFileSystem() }) });
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    const stream = Duplex.from({ readable: toServer, writable: fromServer });
    let output = "";
    fromServer.on("data", (chunk: Buffer) => (output += chunk.toString("latin1")));
    const disconnected = once(server, "disconnect");
    server.handleConnection(stream);
    toServer.write("USER bob\r\nPASS pw\r\nPWD\r\n");
    for (let i = 0; i < 200 && !output.includes("257 "); i++) await new Promise((r) => setImmediate(r));
    assert.match(output, /^220 .*\r\n331 .*\r\n230 .*\r\n257 "\/"/s);
    assert.equal(server.connections[0]!.remoteAddress, "");
    await server.close({ graceMs: 0 });
    await disconnected;
    assert.match(output, /421 [^\r]*\r\n$/);
    assert.equal(server.connections.length, 0);
  });
});
