// Every server the bench measures behind one shape: ftpwire and ftp-srv as
// Node children (bench/servers/*.ts), vsftpd and pyftpdlib through the
// launchers in test/support/peers (never a second copy of those). Each one's
// pid roots the process tree whose CPU time and RSS are read from /proc.
import { mkdir, rm } from "node:fs/promises";
import { randomPassiveRange } from "../../test/support/ports.js";
import { peerAvailable, startPeer } from "../../test/support/peers/index.js";
import { forkChild, type ChildMessage, type NodeChild } from "./children.js";
import { workSubdir } from "./workdir.js";

export type ServerKind = "ftpwire" | "ftp-srv" | "vsftpd" | "pyftpdlib";

export interface BenchServer {
  kind: ServerKind;
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  /** Folder on disk shown as "/". */
  root: string;
  /** Root of the server's process tree. */
  pid: number;
  /** Node servers only: full GC, then the RSS in bytes. */
  gc?: () => Promise<number>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Connection limits (total and per address); default 200. */
  maxConnections?: number;
  /** Passive ports to use; default a random range of 100 (sessions suites pass more). */
  passivePorts?: readonly [number, number];
  /** Serve this existing folder (left in place at stop) instead of a fresh empty one. */
  root?: string;
}

async function startNode(kind: "ftpwire" | "ftp-srv", o: ServerOptions): Promise<BenchServer> {
  const root = o.root ?? workSubdir(`${kind}-root-${Date.now()}`);
  const child: NodeChild = await forkChild(
    `servers/${kind}.ts`,
    { root, passivePorts: o.passivePorts ?? randomPassiveRange(100), maxConnections: o.maxConnections ?? 200 },
    ["--expose-gc"],
  );
  try {
    const { port } = await child.next<ChildMessage & { port: number }>("ready", 30_000);
    return {
      kind,
      host: "127.0.0.1",
      port,
      user: "bench",
      password: "bench",
      root,
      pid: child.pid,
      gc: async () => {
        child.send({ type: "gc" });
        return (await child.next<ChildMessage & { rss: number }>("gc-done", 10_000)).rss;
      },
      stop: async () => {
        await child.stop();
        if (!o.root) await rm(root, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await child.stop();
    throw e;
  }
}

async function startExternal(kind: "vsftpd" | "pyftpdlib", o: ServerOptions): Promise<BenchServer> {
  const missing = await peerAvailable(kind);
  if (missing) throw new Error(`${kind} unavailable: ${missing}`);
  const peer = await startPeer(kind, {
    maxConnections: o.maxConnections ?? 200,
    passivePorts: o.passivePorts ?? randomPassiveRange(100),
    // pyftpdlib listens with a backlog of 100; a crowd of simultaneous
    // connects then overflows it and some handshakes are silently lost.
    // Give it the backlog Node servers get by default (511).
    ...(kind === "pyftpdlib" ? { extraPython: "server.socket.listen(511)" } : {}),
    // vsftpd can be pointed at an existing folder; its own temp root stays empty.
    ...(o.root && kind === "vsftpd" ? { config: { local_root: o.root } } : {}),
  });
  if (o.root && kind !== "vsftpd") {
    await peer.stop();
    throw new Error(`${kind}: serving an existing folder is not supported by the bench`);
  }
  await mkdir(peer.root, { recursive: true });
  return {
    kind,
    host: "127.0.0.1",
    port: peer.port,
    user: peer.user,
    password: peer.password,
    root: o.root ?? peer.root,
    pid: peer.pid,
    stop: () => peer.stop(),
  };
}

export function startServer(kind: ServerKind, o: ServerOptions = {}): Promise<BenchServer> {
  return kind === "ftpwire" || kind === "ftp-srv" ? startNode(kind, o) : startExternal(kind, o);
}

export const SERVER_LABEL: Readonly<Record<ServerKind, string>> = {
  ftpwire: "ftpwire server",
  "ftp-srv": "ftp-srv",
  vsftpd: "vsftpd",
  pyftpdlib: "pyftpdlib",
};
