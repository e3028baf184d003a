// The loopback ceiling: one TCP socket on 127.0.0.1 carrying `bytes` bytes,
// written in 1 MiB chunks with backpressure, read and discarded on the other
// end. role "sink" listens and reports throughput; role "source" connects and
// writes; role "both" does both in one process (one event loop for both ends).
import { connect, createServer, type Socket } from "node:net";
import { childArg, failToParent, sendToParent } from "../lib/child-side.js";

interface Arg {
  role: "sink" | "source" | "both";
  bytes: number;
  port?: number;
}

const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

async function write(socket: Socket, bytes: number): Promise<void> {
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, CHUNK.length);
    left -= n;
    if (!socket.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
      await new Promise<void>((resolve, reject) => {
        const onErr = (e: Error): void => reject(e);
        socket.once("error", onErr);
        socket.once("drain", () => {
          socket.off("error", onErr);
          resolve();
        });
      });
    }
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

/** Listens on port 0; `onPort` gets the port; resolves when one connection ended. */
function sink(onPort: (port: number) => void): Promise<{ bytes: number; ms: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let bytes = 0;
      socket.on("data", (c: Buffer) => {
        bytes += c.length;
      });
      socket.on("error", reject);
      socket.on("end", () => {
        const ms = performance.now() - t0;
        server.close();
        resolve({ bytes, ms, cpu: cpuSeconds(cpu0) });
      });
    });
    server.on("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const a = server.address();
      onPort(typeof a === "object" && a ? a.port : 0);
    });
  });
}

function source(port: number, bytes: number): Promise<{ cpu: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      const cpu0 = process.cpuUsage();
      write(socket, bytes).then(() => resolve({ cpu: cpuSeconds(cpu0) }), reject);
    });
    socket.on("error", reject);
  });
}

const arg = childArg<Arg>();
try {
  if (arg.role === "sink") {
    const r = await sink((port) => void sendToParent({ type: "ready", port }));
    await sendToParent({ type: "result", ...r });
  } else if (arg.role === "source") {
    const r = await source(arg.port ?? 0, arg.bytes);
    await sendToParent({ type: "result", ...r });
  } else {
    const cpu0 = process.cpuUsage();
    let started: Promise<{ cpu: number }> | undefined;
    const r = await sink((port) => {
      started = source(port, arg.bytes);
    });
    await started;
    await sendToParent({ type: "result", bytes: r.bytes, ms: r.ms, cpu: cpuSeconds(cpu0) });
  }
  process.exit(0);
} catch (e) {
  await failToParent(e);
}
