// Soak (issue 11; `npm run soak`, not part of `npm test`): an in-process
// server on a LocalFileSystem, N concurrent ftpwire clients for a bounded
// time, half connecting through 127.0.0.1 and half through 127.0.0.2 (on
// loopback the source address is the one connected to), each looping over
// mixed operations: login, mkdir, upload, byte-exact check on disk,
// download and compare, list, rename, size, delete, an aborted upload, a
// client dropped in the middle of a transfer, logout.
// Usage: npm run soak [-- --seconds 120 --clients 200]
// Prints operations, failures, corrupted files, crashes, peak RSS, and fds
// and passive ports (listening sockets in the range) before and after.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

const stats = { operations: 0, failures: 0, corrupted: 0, crashes: 0, expectedAborts: 0 };
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
  limits: { maxConnections: CLIENTS * 2 + 50, maxConnectionsPerAddress: CLIENTS + 50, failedLoginDelayMs: 0 },
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

async function worker(id: number): Promise<void> {
  const host = id % 2 === 0 ? "127.0.0.1" : "127.0.0.2";
  const dir = `/c${id}`;
  let round = 0;
  while (Date.now() < deadline) {
    const client = new Client({ host, port: address.port, user: "soak", password: "pw", timeouts: { control: 20_000, data: 20_000 } });
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

await Promise.all(Array.from({ length: CLIENTS }, (_, i) => worker(i)));
await server.close({ graceMs: 2000 });
for (let i = 0; server.connections.length > 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
clearInterval(rssTimer);
const report = {
  seconds: SECONDS,
  clients: CLIENTS,
  operations: stats.operations,
  failures: stats.failures,
  expectedAborts: stats.expectedAborts,
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
process.exit(stats.corrupted + stats.crashes > 0 ? 1 : 0);
