// A raw control-connection client for server tests: sends lines exactly as
// given and reads replies through ReplyInbox (the protocol's ReplyParser). No FTP logic of
// its own, so a test sees precisely what the server sent.
import { connect, createServer as createNetServer, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { parsePasvReply, parseEpsvReply } from "../../../src/protocol/host-port.js";
import type { Reply } from "../../../src/protocol/types.js";
import { ReplyInbox } from "./reply-inbox.js";
import { createServer, type FtpServer } from "../../../src/server/ftp-server.js";
import type { FtpServerOptions } from "../../../src/server/options.js";
import { MemoryFileSystem } from "../../../src/storage/memory-file-system.js";
import type { FileSystem } from "../../../src/storage/file-system.js";

export class TestClient {
  readonly socket: Socket;
  private readonly inbox = new ReplyInbox();
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.inbox.push(chunk));
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.inbox.close();
        resolve();
      }),
    );
  }

  static async connect(port: number, host = "127.0.0.1", readGreeting = true): Promise<TestClient> {
    const socket = connect({ port, host });
    await once(socket, "connect");
    const client = new TestClient(socket);
    if (readGreeting) await client.reply();
    return client;
  }

  /** The next reply; rejects after `timeoutMs` or when the connection closed with none left. */
  reply(timeoutMs = 4000): Promise<Reply> {
    return this.inbox.next(timeoutMs);
  }

  /** True when no reply arrives within `ms`. */
  async silent(ms: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.empty;
  }

  send(line: string | Buffer): void {
    this.socket.write(typeof line === "string" ? `${line}\r\n` : line);
  }

  async cmd(line: string, timeoutMs?: number): Promise<Reply> {
    this.send(line);
    return this.reply(timeoutMs);
  }

  async login(user = "alice", password = "secret"): Promise<void> {
    const r1 = await this.cmd(`USER ${user}`);
    if (r1.code !== 331) throw new Error(`USER → ${r1.code}`);
    const r2 = await this.cmd(`PASS ${password}`);
    if (r2.code !== 230) throw new Error(`PASS → ${r2.code} ${r2.message}`);
  }

  /** PASV, then connects the data socket. */
  async pasv(): Promise<Socket> {
    const r = await this.cmd("PASV");
    if (r.code !== 227) throw new Error(`PASV → ${r.code} ${r.message}`);
    const hp = parsePasvReply(r.message);
    const socket = connect({ host: hp.host, port: hp.port });
    await once(socket, "connect");
    return socket;
  }

  async epsv(host = "127.0.0.1"): Promise<Socket> {
    const r = await this.cmd("EPSV");
    if (r.code !== 229) throw new Error(`EPSV → ${r.code} ${r.message}`);
    const socket = connect({ host, port: parseEpsvReply(r.message) });
    await once(socket, "connect");
    return socket;
  }

  /** Opens a local listener and sends PORT (or EPRT); resolves the data socket when the server connects. */
  async active(kind: "PORT" | "EPRT" = "PORT", host = "127.0.0.1"): Promise<{ socket: Promise<Socket>; server: Server }> {
    const server = createNetServer();
    server.listen(0, host);
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const socket = new Promise<Socket>((resolve) => server.once("connection", resolve));
    const arg =
      kind === "PORT"
        ? `${host.replaceAll(".", ",")},${port >> 8},${port & 255}`
        : `|${host.includes(":") ? 2 : 1}|${host}|${port}|`;
    const r = await this.cmd(`${kind} ${arg}`);
    if (r.code !== 200) {
      server.close();
      throw new Error(`${kind} → ${r.code} ${r.message}`);
    }
    socket.then(() => server.close(), () => server.close());
    return { socket, server };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Everything a data socket sends until it ends (or closes), bounded in time. */
export async function readAll(socket: Socket, timeoutMs = 5000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  await Promise.race([
    once(socket, "end"),
    once(socket, "close"),
    new Promise((_, reject) => setTimeout(() => reject(new Error("data socket did not end")), timeoutMs).unref()),
  ]);
  return Buffer.concat(chunks);
}

/** Writes `data` and ends the socket (TLS: close_notify), waiting until it closed. */
export async function writeAll(socket: Socket, data: Buffer | string, timeoutMs = 5000): Promise<void> {
  socket.end(data);
  await Promise.race([
    once(socket, "close"),
    new Promise((_, reject) => setTimeout(() => reject(new Error("data socket did not close")), timeoutMs).unref()),
  ]);
}

export interface TestServer {
  server: FtpServer;
  port: number;
  fs: FileSystem;
  connect(): Promise<TestClient>;
  /** A connected, logged-in client. */
  login(): Promise<TestClient>;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 with user alice/secret on a MemoryFileSystem (or the given one), short timeouts. */
export async function startServer(
  options: Partial<FtpServerOptions> = {},
  fileSystem: FileSystem = new MemoryFileSystem(),
): Promise<TestServer> {
  const server = createServer({
    authenticate: ({ username, password }) =>
      (username === "alice" && password === "secret") || username === "anonymous" ? { fileSystem } : null,
    ...options,
    limits: { failedLoginDelayMs: 0, ...options.limits },
    timeouts: { data: 2000, idle: 10_000, ...options.timeouts },
  });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  const clients: TestClient[] = [];
  const connect = async () => {
    const c = await TestClient.connect(address.port);
    clients.push(c);
    return c;
  };
  return {
    server,
    port: address.port,
    fs: fileSystem,
    connect,
    async login() {
      const c = await connect();
      await c.login();
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await server.close({ graceMs: 0 });
    },
  };
}
