// Soak (issue 11; `npm run soak`, not part of `npm test`): an in-process
// server on a LocalFileSystem, N concurrent ftpwire clients for a bounded
// time, half from 127.0.0.1 in passive mode and half from 127.0.0.2 in active
// mode (the source address is bound explicitly: on Linux loopback the kernel
// picks 127.0.0.1 whatever 127.x is connected to), each looping over
// mixed operations: login, mkdir, upload, byte-exact check on disk,
// download and compare, list, rename, size, delete, an aborted upload, a
// client dropped in the middle of a transfer, a raw connection reset (RST)
// in the middle of a download, logout. One more client guesses passwords from
// 127.0.0.3 the whole time: every guess must be refused (530, or 421 once the
// address is banned), and the ban must not touch the other two addresses.
// Usage: npm run soak [-- --seconds 120 --clients 200]
// Prints operations, failures, corrupted files, crashes, peak RSS, and fds
// and passive ports (listening sockets in the range) before and after.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tcpConnect, type Socket } from "node:net";
import { Writable } from "node:stream";
import { Client } from "../src/client/client.js";
import { createServer } from "../src/server/ftp-server.js";
import { LocalFileSystem } from "../src/storage/local-file-system.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const SECONDS = arg("seconds", 120);
const CLIENTS = arg("clients", 200);
const PORTS: [number, number] = [20000, 20999];

const stats = { operations: 0, failures: 0, corrupted: 0, crashes: 0, expectedAborts: 0, resets: 0, guessesRefused: 0, guessesAccepted: 0 };
const failureKinds = new Map<string, number>();
let peakRss = 0;
process.on("uncaughtException", (error) => {
  stats.crashes++;
  console.error("CRASH", error);
});

function fds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Listening TCP sockets in the passive range (from /proc/net/tcp; state 0A = LISTEN). */
function passiveListeners(): number {
  let n = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== "0A") continue;
      const port = parseInt(cols[1]!.split(":")[1]!, 16);
      if (port >= PORTS[0] && port <= PORTS[1]) n++;
    }
  }
  return n;
}

function fail(kind: string, error: unknown): void {
  stats.failures++;
  const key = `${kind}: ${(error as { code?: string }).code ?? (error as Error).message}`;
  failureKinds.set(key, (failureKinds.get(key) ?? 0) + 1);
}

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
}

const root = mkdtempSync(join(tmpdir(), "ftpwire-soak-"));
const server = createServer({
  authenticate: ({ username, password }) => (username === "soak" && password === "pw" ? { fileSystem: new LocalFileSystem(root, { atomicUploads: true }) } : null),
  passive: { portRange: PORTS },
  limits: { maxConnections: CLIENTS * 2 + 50, maxConnectionsPerAddress: CLIENTS + 50 },
});
const address = await server.listen({ host: "0.0.0.0", port: 0 });
const fdsBefore = fds();
const listenersBefore = passiveListeners();
const deadline = Date.now() + SECONDS * 1000;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);

async function op<T>(kind: string, run: () => Promise<T>): Promise<T | undefined> {
  stats.operations++;
  try {
    return await run();
  } catch (error) {
    fail(kind, error);
    return undefined;
  }
}

/** A control connection from `localAddress` (the client's own data listener follows it in active mode). */
const from = (localAddress: string) => (target: { host: string; port: number }) => tcpConnect({ host: target.host, port: target.port, localAddress });

/** Resolves with the text received on `socket` once it matches `pattern`; rejects after 10 s or on close. */
function until(socket: Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => finish(new Error(`no ${pattern} in ${JSON.stringify(text.slice(-200))}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("latin1");
      if (pattern.test(text)) finish();
    };
    const onClose = (): void => finish(new Error(`closed before ${pattern}`));
    function finish(error?: Error): void {
      clearTimeout(timer);
      socket.off("data", onData).off("close", onClose);
      if (error) reject(error);
      else resolve(text);
    }
    socket.on("data", onData).once("close", onClose);
  });
}

/** A raw session that logs in, starts a download of `path` and then resets both connections. */
async function resetMidDownload(host: string, path: string): Promise<void> {
  const control = tcpConnect({ host: "127.0.0.1", port: address.port, localAddress: host });
  control.on("error", () => {});
  const greeted = until(control, /^220 /m);
  await greeted;
  control.write("USER soak\r\nPASS pw\r\nTYPE I\r\nPASV\r\n");
  const text = await until(control, /^227 .*\)/m);
  const [, p1, p2] = /\(\d+,\d+,\d+,\d+,(\d+),(\d+)\)/.exec(text)!;
  const data = tcpConnect({ host: "127.0.0.1", port: Number(p1) * 256 + Number(p2), localAddress: host });
  data.on("error", () => {});
  await new Promise((resolve) => data.once("connect", resolve));
  control.write(`RETR ${path}\r\n`);
  await until(control, /^150 /m);
  control.resetAndDestroy();
  data.resetAndDestroy();
}

async function guesser(): Promise<void> {
  while (Date.now() < deadline) {
    const client = new Client({ host: "127.0.0.1", port: address.port, user: "soak", password: "wrong", timeouts: { control: 20_000 }, createSocket: from("127.0.0.3") });
    stats.operations++;
    try {
      await client.connect();
      stats.guessesAccepted++;
      await client.close().catch(() => undefined);
    } catch (error) {
      const code = (error as { replyCode?: number }).replyCode;
      if (code === 530 || code === 421) stats.guessesRefused++;
      // A guess still waiting for its throttled slot when the client gives up is refused too.
      else if ((error as { code?: string }).code === "ERR_FTP_TIMEOUT") stats.guessesRefused++;
      else fail("guess", error);
      // Once banned every guess is refused at once; no need to spin.
      if (code === 421) await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function worker(id: number): Promise<void> {
  const host = id % 2 === 0 ? "127.0.0.1" : "127.0.0.2";
  const mode = id % 2 === 0 ? "passive" : "active";
  const dir = `/c${id}`;
  let round = 0;
  while (Date.now() < deadline) {
    const client = new Client({
      host: "127.0.0.1",
      port: address.port,
      user: "soak",
      password: "pw",
      mode,
      timeouts: { control: 20_000, data: 20_000 },
      createSocket: from(host),
    });
    const connected = await op("login", () => client.connect());
    if (connected === undefined && !client) continue;
    await op("mkdir", () => client.mkdir(dir, { recursive: true }));
    for (let k = 0; k < 5 && Date.now() < deadline; k++, round++) {
      const name = `${dir}/f${round}.bin`;
      const body = randomBytes(Math.floor(Math.random() * 200_000));
      const up = await op("upload", () => client.upload(body, name));
      if (up) {
        const onDisk = readFileSync(join(root, name.slice(1)));
        if (!onDisk.equals(body)) stats.corrupted++;
        const sink = new Collect();
        const down = await op("download", () => client.download(name, sink));
        if (down && !Buffer.concat(sink.chunks).equals(body)) stats.corrupted++;
        await op("size", () => client.size(name));
        if (Math.random() < 0.05) {
          stats.operations++;
          stats.resets++;
          await resetMidDownload(host, name).catch((error: unknown) => fail("reset", error));
        }
        await op("rename", () => client.rename(name, `${name}.r`));
        await op("list", () => client.list(dir));
        await op("delete", () => client.remove(`${name}.r`));
      }
      if (Math.random() < 0.1) {
        // An upload aborted by the client: must leave nothing, and the session must go on.
        const controller = new AbortController();
        const promise = client.upload(randomBytes(4 << 20), `${dir}/aborted.bin`, { signal: controller.signal });
        setTimeout(() => controller.abort(), 5).unref();
        stats.operations++;
        await promise.then(
          () => undefined,
          () => void stats.expectedAborts++,
        );
      }
    }
    if (Math.random() < 0.1) {
      // A client dropped in the middle of an upload (the connection just goes away).
      const promise = client.upload(randomBytes(4 << 20), `${dir}/dropped.bin`).catch(() => undefined);
      setTimeout(() => void client.close().catch(() => undefined), 3).unref();
      stats.operations++;
      stats.expectedAborts++;
      await promise;
    }
    await op("logout", () => client.close());
  }
}

await Promise.all([guesser(), ...Array.from({ length: CLIENTS }, (_, i) => worker(i))]);
await server.close({ graceMs: 2000 });
for (let i = 0; server.connections.length > 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
clearInterval(rssTimer);
const report = {
  seconds: SECONDS,
  clients: CLIENTS,
  operations: stats.operations,
  failures: stats.failures,
  expectedAborts: stats.expectedAborts,
  resetsMidDownload: stats.resets,
  wrongPasswordGuessesRefused: stats.guessesRefused,
  wrongPasswordGuessesAccepted: stats.guessesAccepted,
  corrupted: stats.corrupted,
  crashes: stats.crashes,
  peakRssMiB: Math.round(peakRss / 2 ** 20),
  fds: `${fdsBefore} → ${fds()}`,
  passivePortsListening: `${listenersBefore} → ${passiveListeners()}`,
  sessionsLeft: server.connections.length,
};
console.log(JSON.stringify(report, null, 2));
if (failureKinds.size) console.log("failures by kind:", Object.fromEntries(failureKinds));
rmSync(root, { recursive: true, force: true });
process.exit(stats.corrupted + stats.crashes + stats.guessesAccepted > 0 ? 1 : 0);
