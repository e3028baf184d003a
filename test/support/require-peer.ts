// Gate for tests that need a real FTP peer or client tool. Outside CI a
// missing one skips the test with the reason; under CI=true it fails it, so a
// broken install can never turn the interop suite into a row of skips.
import type { TestContext } from "node:test";
import { exists } from "./peers/common.js";
import { peerAvailable } from "./peers/index.js";
import { PEER_NAMES, type PeerName } from "./peers/types.js";
import { runCommand, SYSTEM_PYTHON } from "./tools.js";

export type ToolName = "curl" | "lftp" | "tnftp" | "ftplib" | "openssl" | "redis-server" | "haproxy";

const TOOL_BINARIES: Readonly<Record<Exclude<ToolName, "ftplib">, string>> = {
  curl: "/usr/bin/curl",
  lftp: "/usr/bin/lftp",
  tnftp: "/usr/bin/tnftp",
  openssl: "/usr/bin/openssl",
  "redis-server": "/usr/bin/redis-server",
  haproxy: "/usr/sbin/haproxy",
};

const toolChecks = new Map<ToolName, Promise<string | undefined>>();

/** Undefined when the client tool is usable here, else why not. */
export function toolAvailable(name: ToolName): Promise<string | undefined> {
  let p = toolChecks.get(name);
  if (!p) {
    p = (async () => {
      if (name === "ftplib") {
        // Python's ftplib with TLS (FTP_TLS needs the ssl module).
        const r = await runCommand(SYSTEM_PYTHON, ["-c", "import ftplib, ssl; ftplib.FTP_TLS"], { timeoutMs: 10_000 }).catch(
          (e: Error) => ({ code: -1, stderr: e.message }),
        );
        return r.code === 0 ? undefined : `${SYSTEM_PYTHON} has no ftplib with TLS: ${r.stderr.trim()}`;
      }
      const bin = TOOL_BINARIES[name];
      return (await exists(bin)) ? undefined : `${bin} is missing (run .ci/install-peers.sh)`;
    })();
    toolChecks.set(name, p);
  }
  return p;
}

function isPeerName(name: string): name is PeerName {
  return (PEER_NAMES as readonly string[]).includes(name);
}

/**
 * Resolves true when `name` (a peer, or a client tool) is available. Otherwise
 * skips the test and resolves false — or, under CI=true, throws so the test
 * fails. Use: `if (!(await requirePeer(t, "vsftpd"))) return;`
 */
export async function requirePeer(
  t: TestContext,
  name: PeerName | ToolName,
  options: { tls?: boolean } = {},
): Promise<boolean> {
  const reason = isPeerName(name) ? await peerAvailable(name, options) : await toolAvailable(name);
  if (reason === undefined) return true;
  if (process.env.CI === "true") {
    throw new Error(`${name} is required under CI=true but unavailable: ${reason}`);
  }
  t.skip(`${name} unavailable: ${reason}`);
  return false;
}
