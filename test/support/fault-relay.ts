// A fault-injecting TCP relay between a client and a real FTP server (not a
// mock server: every byte comes from the server behind it). It listens on
// 127.0.0.2 and forwards to the server on 127.0.0.1. Passive data
// connections are relayed too: when the server announces a port (227/229,
// clear text only), the relay listens on that port number at 127.0.0.2, the
// address the client uses for data (it trusts the control peer's address).
// Faults: cut the control connections now, cut the next data connection
// after N bytes, refuse the next K control connects.
import { createServer, connect, type Server, type Socket } from "node:net";
import { once } from "node:events";

export const RELAY_HOST = "127.0.0.2";

export interface FaultRelay {
  readonly host: string;
  readonly port: number;
  /** Control connections accepted (refused ones included). */
  readonly controlConnections: number;
  /** Data connections relayed. */
  readonly dataConnections: number;
  /** Resets every open control connection (both sides see ECONNRESET). */
  cutControl(): void;
  /** Resets the next data connection (or the N-th next, `skip` after it) after `bytes` bytes have crossed it. */
  cutData(bytes: number, options?: { skip?: number }): void;
  /** Every `n`-th data connection from now on is reset after `bytes` bytes. 0 stops. */
  cutEveryNthData(n: number, bytes: number): void;
  /** The next `count` control connects are accepted and reset at once. */
  refuseConnects(count: number): void;
  /** New control connections go to this port instead (another server behind the same address). */
  retarget(port: number): void;
  close(): Promise<void>;
}

interface DataCut {
  bytes: number;
  skip: number;
}

export interface FaultRelayOptions {
  /** FEAT lines to hide from the client (e.g. ["REST"] for a server without REST STREAM). */
  readonly hideFeatures?: readonly string[];
}

export async function startFaultRelay(target: { host: string; port: number }, options: FaultRelayOptions = {}): Promise<FaultRelay> {
  const controls = new Set<Socket>();
  const sockets = new Set<Socket>();
  const dataListeners = new Map<number, Server>();
  const cuts: DataCut[] = [];
  let everyNth = 0;
  let everyNthBytes = 0;
  let refuse = 0;
  let controlPort = target.port;
  let controlCount = 0;
  let dataCount = 0;

  const track = (socket: Socket) => {
    // Without it Nagle holds back each small reply for the peer's delayed ACK (about 40 ms a command).
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };

  /** Pipes a ⇄ b; `limit` bytes (either way, summed) then both are reset. `onServerData` sees server→client chunks first. */
  const join = (client: Socket, server: Socket, limit: number | undefined, onServerData?: (chunk: Buffer) => Promise<Buffer>) => {
    let moved = 0;
    const count = (n: number) => {
      moved += n;
      if (limit !== undefined && moved >= limit) {
        client.resetAndDestroy();
        server.resetAndDestroy();
        return false;
      }
      return true;
    };
    client.on("data", (chunk: Buffer) => {
      if (!count(chunk.length)) return;
      if (!server.write(chunk)) client.pause();
    });
    server.on("drain", () => client.resume());
    let chain = Promise.resolve();
    server.on("data", (chunk: Buffer) => {
      if (!onServerData) {
        if (!count(chunk.length)) return;
        if (!client.write(chunk)) server.pause();
        return;
      }
      // Control: the relay's data listener must be up before the client reads the 227/229.
      server.pause();
      chain = chain.then(() => onServerData(chunk)).then((out) => {
        if (!client.destroyed) client.write(out);
        server.resume();
      }, () => {
        server.resume();
      });
    });
    client.on("drain", () => server.resume());
    const end = (other: Socket) => () => {
      if (!other.destroyed) other.end();
    };
    client.on("end", end(server));
    server.on("end", end(client));
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
  };

  const nextDataLimit = (): number | undefined => {
    dataCount++;
    if (everyNth > 0 && dataCount % everyNth === 0) return everyNthBytes;
    const cut = cuts[0];
    if (!cut) return undefined;
    if (cut.skip > 0) {
      cut.skip--;
      return undefined;
    }
    cuts.shift();
    return cut.bytes;
  };

  const openDataListener = async (port: number) => {
    if (dataListeners.has(port)) return;
    const listener = createServer((client) => {
      track(client);
      const server = connect({ host: target.host, port });
      track(server);
      join(client, server, nextDataLimit());
    });
    dataListeners.set(port, listener);
    listener.listen({ host: RELAY_HOST, port });
    await once(listener, "listening");
  };

  const passivePort = (text: string): number | undefined => {
    const epsv = /^229 .*\(\|\|\|(\d+)\|\)/m.exec(text);
    if (epsv) return Number(epsv[1]);
    const pasv = /^227 .*?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/m.exec(text);
    if (pasv) return Number(pasv[5]) * 256 + Number(pasv[6]);
    return undefined;
  };

  const hidden = options.hideFeatures ?? [];
  const hideFeatures = (chunk: Buffer): Buffer => {
    if (hidden.length === 0) return chunk;
    let text = chunk.toString("latin1");
    for (const name of hidden) text = text.replace(new RegExp(`^ ${name}\\b[^\\n]*\\n`, "gim"), "");
    return Buffer.from(text, "latin1");
  };

  const relay = createServer((client) => {
    controlCount++;
    track(client);
    if (refuse > 0) {
      refuse--;
      client.resetAndDestroy();
      return;
    }
    controls.add(client);
    client.on("close", () => controls.delete(client));
    const server = connect({ host: target.host, port: controlPort });
    track(server);
    let partial = ""; // a reply line split across chunks
    join(client, server, undefined, async (chunk) => {
      const text = partial + chunk.toString("latin1");
      const lastBreak = text.lastIndexOf("\n");
      partial = text.slice(lastBreak + 1).slice(-512);
      const port = passivePort(text.slice(0, lastBreak + 1));
      if (port !== undefined) await openDataListener(port);
      return hideFeatures(chunk);
    });
  });
  relay.listen({ host: RELAY_HOST, port: 0 });
  await once(relay, "listening");
  const address = relay.address();
  if (address === null || typeof address === "string") throw new Error("relay has no port");

  return {
    host: RELAY_HOST,
    port: address.port,
    get controlConnections() {
      return controlCount;
    },
    get dataConnections() {
      return dataCount;
    },
    cutControl() {
      for (const socket of controls) socket.resetAndDestroy();
    },
    cutData(bytes, options = {}) {
      cuts.push({ bytes, skip: options.skip ?? 0 });
    },
    cutEveryNthData(n, bytes) {
      everyNth = n;
      everyNthBytes = bytes;
      dataCount = 0;
    },
    refuseConnects(count) {
      refuse = count;
    },
    retarget(port) {
      controlPort = port;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      const servers = [relay, ...dataListeners.values()];
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
