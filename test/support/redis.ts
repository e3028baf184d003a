// A throwaway redis-server for the fleet tests: loopback only, no
// persistence, on a free port (retried when the port race is lost), stopped
// by PID like the FTP peers.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, PeerStartError, withPortRetries, type LaunchedProcess } from "./peers/process.js";
import { findFreePort } from "./ports.js";

export interface RedisPeer {
  readonly port: number;
  readonly process: LaunchedProcess;
  stop(): Promise<void>;
}

export function startRedis(): Promise<RedisPeer> {
  return withPortRetries(5, async () => {
    const port = await findFreePort();
    const dir = await mkdtemp(join(tmpdir(), "ftpwire-redis-"));
    const proc = launch({
      label: "redis-server",
      command: "/usr/bin/redis-server",
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"],
      dirs: [dir],
    });
    try {
      await proc.waitForStdout(/Ready to accept connections/, 10_000);
    } catch (error) {
      const out = await proc.output();
      await proc.stop();
      throw new PeerStartError(`redis-server did not start on ${port}: ${(error as Error).message}\n${out}`, /in use/i.test(out) ? "port-taken" : "failed");
    }
    return { port, process: proc, stop: () => proc.stop() };
  });
}
