// Password guessing from one address (issue 11): 16 parallel connections
// send USER/PASS with wrong passwords as fast as the server answers,
// reconnecting whenever it closes one, for a fixed time. Prints the
// guesses answered per second (each 530 is one password tested) for
// ftpwire with default limits and for vsftpd with its default
// delay_failed_login=1, measured in the same run.
// Usage: node --import tsx bench/login-guessing.ts [seconds=20] [connections=16]
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { createServer } from "../src/server/ftp-server.js";
import { startVsftpd, vsftpdAvailable } from "../test/support/peers/vsftpd.js";

const seconds = Number(process.argv[2] ?? 20);
const connections = Number(process.argv[3] ?? 16);

/** One attacker connection loop; returns 530s seen until `deadline`. */
async function attacker(port: number, user: string, deadline: number, counts: { guesses: number; refused: number }): Promise<void> {
  let n = 0;
  while (Date.now() < deadline) {
    const socket: Socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    let buffer = "";
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    socket.on("data", (c: Buffer) => {
      buffer += c.toString("latin1");
      let i;
      while ((i = buffer.indexOf("\r\n")) !== -1) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (/^\d{3} /.test(line)) lines.push(line);
      }
      wake?.();
    });
    const closed = once(socket, "close").then(() => wake?.());
    const next = async (): Promise<string | undefined> => {
      while (lines.length === 0) {
        if (socket.destroyed || Date.now() >= deadline) return undefined;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 250).unref();
        });
      }
      return lines.shift();
    };
    if (!(await next())?.startsWith("220")) {
      counts.refused++;
      socket.destroy();
      continue;
    }
    for (;;) {
      socket.write(`USER ${user}\r\n`);
      const u = await next();
      if (!u?.startsWith("331")) break;
      socket.write(`PASS wrong-${n++}\r\n`);
      const p = await next();
      if (p?.startsWith("530")) counts.guesses++;
      else break;
    }
    socket.destroy();
    await closed;
  }
}

async function measure(name: string, port: number, user: string): Promise<number> {
  const counts = { guesses: 0, refused: 0 };
  const started = Date.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, () => attacker(port, user, deadline, counts)));
  const rate = counts.guesses / ((Date.now() - started) / 1000);
  console.log(`${name}: ${counts.guesses} guesses in ${seconds} s over ${connections} connections = ${rate.toFixed(2)} guesses/s (refused connections: ${counts.refused})`);
  return rate;
}

for (const [name, limits] of [
  ["ftpwire (default limits)", {}],
  ["ftpwire (no ban: spacing alone)", { maxFailedLoginsPerAddress: 1_000_000 }],
] as const) {
  const server = createServer({ authenticate: () => null, limits: { maxConnectionsPerAddress: 64, ...limits } });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  await measure(name, address.port, "ftpwire");
  await server.close({ graceMs: 0 });
}

const missing = await vsftpdAvailable();
if (missing) console.log(`vsftpd: not measured (${missing})`);
else {
  const peer = await startVsftpd({ config: { delay_failed_login: 1 }, maxConnections: 64 });
  try {
    await measure("vsftpd (delay_failed_login=1)", peer.port, peer.user);
  } finally {
    await peer.stop();
  }
}
