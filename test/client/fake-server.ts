// A tiny scripted FTP server for edge cases real servers won't produce on
// demand (120 greetings, 421, malformed PASV, drops mid-transfer). Each
// connection runs `script(conn)`; the script reads commands and writes raw
// reply bytes. Everything binds 127.0.0.1 port 0 and is closed by `close()`.
import { createServer, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { TLSSocket, type SecureContext } from "node:tls";

export class FakeConnection {
  readonly socket: Socket;
  private buffer = "";
  private readonly lines: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;
  /** Every command line received, in order. */
  readonly received: string[] = [];

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (text: string) => {
      this.buffer += text;
      for (;;) {
        const lf = this.buffer.indexOf("\n");
        if (lf === -1) break;
        const line = this.buffer.slice(0, lf).replace(/\r$/, "");
        this.buffer = this.buffer.slice(lf + 1);
        this.received.push(line);
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w(line);
        } else this.lines.push(line);
      }
    });
    const end = () => {
      this.ended = true;
      const w = this.waiter;
      this.waiter = undefined;
      w?.(undefined);
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", () => {});
  }

  /** Next command line (without CRLF), or undefined when the client went away. Bounded by `timeoutMs`. */
  nextCommand(timeoutMs = 5000): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error("fake server: no command within timeout"));
      }, timeoutMs);
      this.waiter = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
    });
  }

  /** Expects a command starting with `prefix` (case-insensitive) and returns the whole line. */
  async expect(prefix: string): Promise<string> {
    const line = await this.nextCommand();
    if (line === undefined || !line.toUpperCase().startsWith(prefix.toUpperCase())) {
      throw new Error(`fake server: expected ${prefix}, got ${JSON.stringify(line)}`);
    }
    return line;
  }

  send(text: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Sends one reply line per argument, CRLF-terminated. */
  reply(...lines: string[]): void {
    this.send(lines.map((l) => `${l}\r\n`).join(""));
  }

  /** Standard login: greeting, USER/PASS, FEAT (with `features`), TYPE I. */
  async login(features: readonly string[] = []): Promise<void> {
    this.reply("220 fake ready");
    await this.expect("USER");
    this.reply("331 password please");
    await this.expect("PASS");
    this.reply("230 logged in");
    await this.expect("FEAT");
    if (features.length) this.reply("211-Features:", ...features.map((f) => ` ${f}`), "211 End");
    else this.reply("211 no features");
    if (features.includes("UTF8")) {
      await this.expect("OPTS UTF8");
      this.reply("200 ok");
    }
    await this.expect("TYPE I");
    this.reply("200 binary");
  }

  /** Opens a one-shot passive data listener; returns its port and a promise of the data socket. */
  async passive(): Promise<{ port: number; socket: Promise<Socket>; close(): void }> {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const socket = new Promise<Socket>((resolve) => server.once("connection", (s) => {
      s.on("error", () => {});
      server.close();
      resolve(s);
    }));
    return { port, socket, close: () => server.close() };
  }

  /**
   * AUTH TLS on the fake's side: stops reading in clear, runs the TLS
   * handshake as the server and returns a connection reading through TLS
   * (the caller has already sent the 234). Bounded by `timeoutMs`.
   */
  async startTls(secureContext: SecureContext, timeoutMs = 5000): Promise<FakeConnection> {
    this.socket.removeAllListeners("data");
    this.socket.removeAllListeners("end");
    this.socket.removeAllListeners("close");
    const secure = await acceptTlsSocket(this.socket, secureContext, timeoutMs);
    return new FakeConnection(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Server-side TLS on a fake's socket (control or data); rejects when the handshake fails or takes too long. */
export function acceptTlsSocket(socket: Socket, secureContext: SecureContext, timeoutMs = 5000): Promise<TLSSocket> {
  const secure = new TLSSocket(socket, { isServer: true, secureContext });
  return new Promise<TLSSocket>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("fake server: TLS handshake timed out")), timeoutMs);
    secure.once("secure", () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export interface FakeServer {
  readonly port: number;
  readonly connections: FakeConnection[];
  /** Errors thrown by scripts (assert on them being empty). */
  readonly scriptErrors: unknown[];
  close(): Promise<void>;
}

export async function startFakeServer(script: (conn: FakeConnection) => Promise<void> | void): Promise<FakeServer> {
  const connections: FakeConnection[] = [];
  const scriptErrors: unknown[] = [];
  const server: Server = createServer((socket) => {
    const conn = new FakeConnection(socket);
    connections.push(conn);
    Promise.resolve()
      .then(() => script(conn))
      .then(async () => {
        // After the script: answer a QUIT politely, then hang up.
        const line = await conn.nextCommand(2000).catch(() => undefined);
        if (line === "QUIT") conn.reply("221 bye");
        conn.socket.end();
      })
      .catch((error: unknown) => scriptErrors.push(error));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    connections,
    scriptErrors,
    close: async () => {
      for (const c of connections) c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** PASV reply text for 127.0.0.1:port (hand-formatted: h1..h4,p1,p2). */
export function pasvReply(port: number, host = "127,0,0,1"): string {
  return `227 Entering Passive Mode (${host},${Math.floor(port / 256)},${port % 256})`;
}
