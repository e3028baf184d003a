// Ports for peers that cannot be told "port 0": ask the kernel for a free
// one, close it, hand it to the peer (a small race, covered by retries in the
// launchers), and passive ranges picked at random so parallel test files do
// not share one.
import { createServer } from "node:net";

/** A currently free TCP port on `host` (bind port 0, read it, close). */
export async function findFreePort(host = "127.0.0.1", attempts = 5): Promise<number> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.once("error", reject);
        server.listen({ host, port: 0, exclusive: true }, () => {
          const address = server.address();
          const port = typeof address === "object" && address ? address.port : 0;
          server.close(() => (port > 0 ? resolve(port) : reject(new Error("no port from listen(0)"))));
        });
      });
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`no free port on ${host} after ${attempts} attempts`, { cause: lastError });
}

/**
 * A random passive port range of `count` ports inside 20000–32000: below
 * Linux's ephemeral range (32768+), so the kernel does not hand these out for
 * outgoing connections or port-0 listeners while a peer uses them.
 */
export function randomPassiveRange(count = 40): [number, number] {
  const low = 20_000;
  const high = 32_000;
  const start = low + Math.floor(Math.random() * (high - low - count));
  return [start, start + count - 1];
}
