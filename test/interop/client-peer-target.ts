// Adapts a real-peer launcher (test/support/peers) to the client suite.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { requirePeer } from "../support/require-peer.js";
import { startPeer, type PeerName } from "../support/peers/index.js";
import type { ServerTarget } from "./client-suite.js";

export function peerTarget(name: PeerName, caps: { mlsd: boolean; mfmt: boolean }): ServerTarget {
  return {
    name,
    ...caps,
    available: (t) => requirePeer(t, name),
    async start() {
      const peer = await startPeer(name, { maxConnections: 50 });
      return {
        options: { host: peer.host, port: peer.port, user: peer.user, password: peer.password, timeouts: { control: 10_000, data: 10_000 } },
        writeFile: async (path, data) => {
          await peer.writeFile(path, data);
        },
        readFile: (path) => readFile(join(peer.root, path)),
        stop: () => peer.stop(),
      };
    },
  };
}
