// Adapts a real-peer launcher (test/support/peers) to the client suite.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { requirePeer } from "../support/require-peer.js";
import { startPeer, type PeerName } from "../support/peers/index.js";
import type { ServerTarget } from "./client-suite.js";

export function peerTarget(
  name: PeerName,
  caps: { mlsd: boolean; mfmt: boolean },
  ftps?: { resumes: boolean },
): ServerTarget {
  return {
    name: ftps ? `${name} (FTPS explicit, PROT P, TLS required)` : name,
    ...caps,
    ...(ftps ? { ftps } : {}),
    available: (t) => requirePeer(t, name, { tls: Boolean(ftps) }),
    async start() {
      // With ftps the launcher's defaults apply: TLS required for login and
      // data, and session reuse required where the peer can (vsftpd, proftpd).
      const peer = await startPeer(name, { maxConnections: 50, ...(ftps ? { tls: true } : {}) });
      const ca = ftps && peer.certFile ? await readFile(peer.certFile) : undefined;
      return {
        options: {
          host: peer.host, port: peer.port, user: peer.user, password: peer.password,
          timeouts: { control: 10_000, data: 10_000 },
          ...(ca ? { secure: true, tls: { ca } } : {}),
        },
        writeFile: async (path, data) => {
          await peer.writeFile(path, data);
        },
        readFile: (path) => readFile(join(peer.root, path)),
        stop: () => peer.stop(),
      };
    },
  };
}
