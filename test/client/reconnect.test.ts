// Reconnect: a lost control connection is re-opened by the next call (or the
// one in flight) with the same login, TLS, working directory, TYPE and data
// strategy. Real sockets: ftpwire's server behind the fault relay, and
// pure-ftpd behind it; the delays run on node:test's mock timers.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { PassThrough } from "node:stream";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../../src/client/client.js";
import type { ReconnectEvent } from "../../src/client/reconnect.js";
import type { RetryEvent } from "../../src/client/retry-loop.js";
import { FtpError, FtpReplyError } from "../../src/errors.js";
import { createServer, type FtpServer } from "../../src/server/ftp-server.js";
import type { FtpSession } from "../../src/server/types.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { makeTestCertificate } from "../support/certs.js";
import { startFaultRelay, type FaultRelay } from "../support/fault-relay.js";
import { startPeer } from "../support/peers/index.js";
import { requirePeer } from "../support/require-peer.js";

const NO_WAIT = { attempts: 3, minDelayMs: 0, maxDelayMs: 0 };

interface OwnServer {
  server: FtpServer;
  root: string;
  port: number;
  sessions: FtpSession[];
  logins: number;
  /** Refuse every login from now on (530). */
  refuseLogins: boolean;
  stop(): Promise<void>;
}

async function ownServer(t: TestContext, extra: Parameters<typeof createServer>[0] extends infer O ? Partial<O> : never = {}): Promise<OwnServer> {
  const root = await mkdtemp(join(tmpdir(), "ftpwire-reconnect-"));
  await mkdir(join(root, "a", "b"), { recursive: true });
  await writeFile(join(root, "a", "b", "here.txt"), "in a/b\n");
  await writeFile(join(root, "top.txt"), "top\n");
  const state: OwnServer = {
    root, port: 0, sessions: [], logins: 0, refuseLogins: false,
    server: undefined as unknown as FtpServer,
    stop: async () => {},
  };
  const server = createServer({
    authenticate: ({ username, password }) => {
      state.logins++;
      if (state.refuseLogins) return null;
      return username === "u" && password === "p" ? { fileSystem: new LocalFileSystem(root) } : null;
    },
    ...extra,
    limits: { failedLoginDelayMs: 0 },
  });
  server.on("connection", (session) => state.sessions.push(session));
  state.port = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
  state.server = server;
  state.stop = async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  };
  t.after(() => state.stop());
  return state;
}

function record(client: Client): { retries: RetryEvent[]; reconnects: ReconnectEvent[]; commands: string[]; closes: unknown[] } {
  const seen = { retries: [] as RetryEvent[], reconnects: [] as ReconnectEvent[], commands: [] as string[], closes: [] as unknown[] };
  client.on("retry", (e) => seen.retries.push(e));
  client.on("reconnect", (e) => seen.reconnects.push(e));
  client.on("command", (line) => seen.commands.push(line));
  client.on("close", (e) => seen.closes.push(e));
  return seen;
}

async function throughRelay(t: TestContext, port: number): Promise<FaultRelay> {
  const relay = await startFaultRelay({ host: "127.0.0.1", port });
  t.after(() => relay.close());
  return relay;
}

const clientOptions = (relay: FaultRelay, extra: object = {}) => ({
  host: relay.host, port: relay.port, user: "u", password: "p",
  timeouts: { connect: 5000, control: 5000, data: 5000 }, retry: NO_WAIT, ...extra,
});

describe("reconnect against ftpwire's server through the fault relay", () => {
  it("the next call after a lost connection logs in again and returns to the working directory and TYPE", async (t) => {
    const own = await ownServer(t);
    const relay = await throughRelay(t, own.port);
    const client = await Client.connect(clientOptions(relay));
    t.after(() => client.close());
    const seen = record(client);
    await client.cd("a/b");
    await client.download("here.txt", new PassThrough().resume(), { type: "ascii" });
    const lost = once(client, "disconnect");
    relay.cutControl();
    // The loss is noticed while idle; the client stays usable.
    await lost;
    assert.equal(client.connected, true, "connected: the next call re-opens it");
    const names = (await client.list()).map((e) => e.name);
    assert.deepEqual(names, ["here.txt"]);
    assert.equal(await client.pwd(), "/a/b");
    assert.equal(own.logins, 2);
    assert.equal(relay.controlConnections, 2);
    assert.equal(seen.reconnects.length, 1);
    assert.equal(seen.reconnects[0]!.attempt, 1);
    assert.equal(seen.reconnects[0]!.delay, 0);
    assert.equal(seen.reconnects[0]!.cause.code, "ERR_FTP_CLOSED");
    assert.deepEqual(seen.retries, [], "nothing was in flight: no call failed");
    assert.deepEqual(seen.closes, [], "no close event for a connection the client re-opens");
    const after = seen.commands.slice(seen.commands.indexOf("USER u"));
    for (const expected of ["PASS ***", "FEAT", "OPTS UTF8 ON", "CWD /a/b", "TYPE A"]) assert.ok(after.includes(expected), `${expected} in ${after.join(", ")}`);
  });

  it("the call in flight when the connection breaks is retried on a new connection", async (t) => {
    const own = await ownServer(t);
    const relay = await throughRelay(t, own.port);
    const client = await Client.connect(clientOptions(relay));
    t.after(() => client.close());
    const seen = record(client);
    let cut = false;
    client.on("command", (line) => {
      if (line.startsWith("SIZE") && !cut) {
        cut = true;
        relay.cutControl();
      }
    });
    assert.equal(await client.size("top.txt"), 4);
    assert.equal(seen.retries.length, 1);
    assert.equal(seen.retries[0]!.attempt, 1);
    assert.equal((seen.retries[0]!.cause as FtpError).code, "ERR_FTP_CLOSED");
    assert.equal(seen.retries[0]!.operation, "size top.txt");
    assert.equal(seen.reconnects.length, 1);
    assert.equal(seen.commands.filter((c) => c.startsWith("SIZE")).length, 2);
  });

  it("refused reconnects are retried with backoff (mock timers), and the delay waited is in the events", async (t) => {
    const own = await ownServer(t);
    const relay = await throughRelay(t, own.port);
    const client = await Client.connect(clientOptions(relay, { retry: { attempts: 4, minDelayMs: 1000, maxDelayMs: 1000 } }));
    t.after(() => client.close());
    const seen = record(client);
    const lost = once(client, "disconnect");
    relay.cutControl();
    await lost;
    relay.refuseConnects(2);
    t.mock.timers.enable({ apis: ["setTimeout"] });
    t.after(() => t.mock.timers.reset());
    const connectsAtRetry: number[] = [];
    client.on("retry", (event) => {
      connectsAtRetry.push(relay.controlConnections);
      // The next connect waits for the clock: nothing happens until the test moves it.
      setImmediate(() => {
        assert.equal(relay.controlConnections, connectsAtRetry.at(-1), "no reconnect before the delay passed");
        t.mock.timers.tick(event.delay);
      });
    });
    assert.equal(await client.pwd(), "/");
    t.mock.timers.reset();
    assert.deepEqual(seen.reconnects.map((e) => [e.attempt, e.delay]), [[1, 0], [2, seen.retries[0]!.delay], [3, seen.retries[1]!.delay]]);
    for (const e of seen.retries) assert.ok(e.delay >= 500 && e.delay <= 1000, `delay ${e.delay}`);
    assert.equal(relay.controlConnections, 4);
    assert.equal(own.logins, 2);
  });

  it("close() during a backoff wait ends it at once: the call rejects with ERR_FTP_CLOSED", { timeout: 20_000 }, async (t) => {
    const own = await ownServer(t);
    const relay = await throughRelay(t, own.port);
    // A minute's wait that the test never lets pass (mock timers): only close() can end it.
    const client = await Client.connect(clientOptions(relay, { retry: { attempts: 3, minDelayMs: 60_000, maxDelayMs: 60_000 } }));
    const lost = once(client, "disconnect");
    relay.cutControl();
    await lost;
    relay.refuseConnects(5);
    t.mock.timers.enable({ apis: ["setTimeout"] });
    t.after(() => t.mock.timers.reset());
    const retried = once(client, "retry");
    const call = client.pwd();
    call.catch(() => {});
    const [event] = (await retried) as [RetryEvent];
    assert.ok(event.delay >= 30_000);
    await client.close();
    await assert.rejects(call, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
    assert.equal(relay.controlConnections, 2, "no reconnect after the close");
  });

  it("530 on the reconnect login rejects at once: no retry, one reconnect attempt", async (t) => {
    const own = await ownServer(t);
    const relay = await throughRelay(t, own.port);
    const client = await Client.connect(clientOptions(relay, { retry: { attempts: 5, minDelayMs: 0, maxDelayMs: 0 } }));
    t.after(() => client.close());
    const seen = record(client);
    own.refuseLogins = true;
    const lost = once(client, "disconnect");
    relay.cutControl();
    await lost;
    await assert.rejects(client.pwd(), (e: unknown) => e instanceof FtpReplyError && e.replyCode === 530);
    assert.equal(seen.reconnects.length, 1);
    assert.equal(seen.retries.length, 0);
    assert.equal(own.logins, 2);
  });

  it("a TLS certificate error on the reconnect rejects at once: no retry", async (t) => {
    const good = await makeTestCertificate();
    // A second, different certificate (the default one is made once per process).
    const otherDir = await mkdtemp(join(tmpdir(), "ftpwire-impostor-"));
    t.after(() => rm(otherDir, { recursive: true, force: true }));
    const other = await makeTestCertificate(otherDir);
    const tls = (cert: typeof good) => ({ tls: { key: cert.keyPem, cert: cert.certPem } }) as never;
    const first = await ownServer(t, tls(good));
    const impostor = await ownServer(t, tls(other));
    const relay = await throughRelay(t, first.port);
    const client = await Client.connect(clientOptions(relay, { secure: true, tls: { ca: good.certPem, servername: "localhost" }, retry: { attempts: 5, minDelayMs: 0, maxDelayMs: 0 } }));
    t.after(() => client.close());
    const seen = record(client);
    const lost = once(client, "disconnect");
    relay.retarget(impostor.port);
    relay.cutControl();
    await lost;
    await assert.rejects(client.pwd(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_TLS");
    assert.equal(seen.reconnects.length, 1);
    assert.equal(seen.retries.length, 0);
    assert.equal(impostor.logins, 0, "no password sent to a server whose certificate failed");
  });

  it("an abort during the backoff rejects with ERR_FTP_ABORTED and stops the retries", { timeout: 20_000 }, async (t) => {
    const own = await ownServer(t);
    const relay = await throughRelay(t, own.port);
    const client = await Client.connect(clientOptions(relay, { retry: { attempts: 5, minDelayMs: 60_000, maxDelayMs: 60_000 } }));
    t.after(() => client.close());
    const lost = once(client, "disconnect");
    relay.cutControl();
    await lost;
    relay.refuseConnects(10);
    t.mock.timers.enable({ apis: ["setTimeout"] });
    t.after(() => t.mock.timers.reset());
    const controller = new AbortController();
    const retried = once(client, "retry");
    const call = client.pwd({ signal: controller.signal });
    call.catch(() => {});
    await retried;
    controller.abort();
    await assert.rejects(call, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_ABORTED");
    assert.equal(relay.controlConnections, 2, "no further reconnect after the abort");
  });

  it("retry: { attempts: 0 } is the client without reconnect: the loss closes it", async (t) => {
    const own = await ownServer(t);
    const relay = await throughRelay(t, own.port);
    const client = await Client.connect(clientOptions(relay, { retry: { attempts: 0 } }));
    const seen = record(client);
    const closed = new Promise((resolve) => client.once("close", resolve));
    relay.cutControl();
    await closed;
    await assert.rejects(client.pwd(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
    assert.equal(seen.reconnects.length, 0);
    assert.equal(relay.controlConnections, 1);
    assert.equal(client.connected, false);
  });

  it("FTPS: a session the server ends (421) is re-opened with TLS and PROT P again", async (t) => {
    const cert = await makeTestCertificate();
    const own = await ownServer(t, { tls: { key: cert.keyPem, cert: cert.certPem }, requireTls: "all" } as never);
    const client = await Client.connect({
      host: "127.0.0.1", port: own.port, user: "u", password: "p", secure: true, tls: { ca: cert.certPem },
      timeouts: { control: 5000, data: 5000 }, retry: NO_WAIT,
    });
    t.after(() => client.close());
    const seen = record(client);
    await client.cd("/a");
    const lost = once(client, "disconnect");
    own.sessions[0]!.close(421, "Going down for a moment");
    await lost;
    assert.deepEqual((await client.list()).map((e) => e.name), ["b"]);
    assert.equal(client.tlsInfo()?.dataProtection, "private");
    assert.equal(seen.reconnects.length, 1);
    assert.equal(seen.reconnects[0]!.cause.replyCode, 421);
    assert.ok(seen.commands.includes("AUTH TLS") && seen.commands.includes("PROT P") && seen.commands.includes("CWD /a"), seen.commands.join(", "));
  });
});

describe("reconnect against pure-ftpd through the fault relay", () => {
  it("a lost connection is re-opened with the login and working directory", async (t) => {
    if (!(await requirePeer(t, "pure-ftpd"))) return;
    const peer = await startPeer("pure-ftpd", { files: { "dir/sub/f.txt": "hello\n" } });
    t.after(() => peer.stop());
    const relay = await throughRelay(t, peer.port);
    const client = await Client.connect({
      host: relay.host, port: relay.port, user: peer.user, password: peer.password,
      timeouts: { control: 10_000, data: 10_000 }, retry: NO_WAIT,
    });
    t.after(() => client.close());
    const seen = record(client);
    await client.cd("dir/sub");
    const lost = once(client, "disconnect");
    relay.cutControl();
    await lost;
    assert.deepEqual((await client.list()).map((e) => e.name), ["f.txt"]);
    assert.match(await client.pwd(), /\/dir\/sub$/);
    assert.equal(relay.controlConnections, 2);
    assert.equal(seen.reconnects.length, 1);
  });
});
