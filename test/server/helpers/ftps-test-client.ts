// A raw FTPS control-connection client for server tests: AUTH TLS (or
// implicit TLS), then lines and replies exactly as sent, and TLS data
// connections that resume the control session or deliberately do not.
// Built on node:tls through src/tls (connectTls, TlsSessionStore).
import { connect, createServer as createNetServer, type Socket } from "node:net";
import { once } from "node:events";
import type { ConnectionOptions, TLSSocket } from "node:tls";
import { parseEpsvReply, parsePasvReply } from "../../../src/protocol/host-port.js";
import type { Reply } from "../../../src/protocol/types.js";
import { ReplyInbox } from "./reply-inbox.js";
import { connectTls, TlsSessionStore } from "../../../src/tls/secure-socket.js";

/** What the test client's TLS handshakes use: no verification (self-signed test certificate) plus the caller's choices. */
export type TestTlsOptions = Omit<ConnectionOptions, "socket" | "host" | "port" | "path">;

const BASE_TLS: TestTlsOptions = { rejectUnauthorized: false, servername: "localhost" };

export class FtpsTestClient {
  socket: Socket;
  /** The control connection's TLS socket, once there is one. */
  control: TLSSocket | undefined;
  /** The control connection's newest TLS session, for data connections that resume it. */
  sessions: TlsSessionStore | undefined;
  private readonly tlsOptions: TestTlsOptions;
  private readonly inbox = new ReplyInbox();
  private readonly onData = (chunk: Buffer) => this.inbox.push(chunk);
  private readonly onClose = () => this.inbox.close();

  private constructor(socket: Socket, tlsOptions: TestTlsOptions) {
    this.socket = socket;
    this.tlsOptions = tlsOptions;
    this.attach(socket);
  }

  /** Connects (implicit: TLS first) and reads the greeting. */
  static async connect(port: number, options: { implicit?: boolean; tls?: TestTlsOptions } = {}): Promise<FtpsTestClient> {
    const raw = connect({ port, host: "127.0.0.1" });
    raw.on("error", () => {});
    await once(raw, "connect");
    const tlsOptions = { ...BASE_TLS, ...options.tls };
    if (!options.implicit) {
      const client = new FtpsTestClient(raw, tlsOptions);
      await client.reply();
      return client;
    }
    const secure = await connectTls(raw, { ...tlsOptions, timeoutMs: 5000 });
    const client = new FtpsTestClient(secure, tlsOptions);
    client.control = secure;
    client.sessions = new TlsSessionStore(secure);
    await client.reply();
    return client;
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on("data", this.onData);
    socket.on("error", () => {});
    socket.once("close", this.onClose);
  }

  get closed(): boolean {
    return this.inbox.closed;
  }

  /** AUTH TLS (or another mechanism) → 234 → TLS handshake on the control connection. */
  async auth(mechanism = "TLS"): Promise<TLSSocket> {
    const r = await this.cmd(`AUTH ${mechanism}`);
    if (r.code !== 234) throw new Error(`AUTH ${mechanism} → ${r.code} ${r.message}`);
    return this.startTls();
  }

  /** The client side of the control-connection handshake (after a 234 the caller read itself). */
  async startTls(): Promise<TLSSocket> {
    const plain = this.socket;
    plain.off("data", this.onData);
    plain.off("close", this.onClose);
    const secure = await connectTls(plain, { ...this.tlsOptions, timeoutMs: 5000 });
    this.inbox.resetParser();
    this.socket = secure;
    this.control = secure;
    this.sessions = new TlsSessionStore(secure);
    this.attach(secure);
    return secure;
  }

  reply(timeoutMs = 5000): Promise<Reply> {
    return this.inbox.next(timeoutMs);
  }

  /** Resolves when the server closed the connection (false after `timeoutMs`). */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.inbox.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.inbox.closed;
  }

  send(line: string | Buffer): void {
    this.socket.write(typeof line === "string" ? `${line}\r\n` : line);
  }

  async cmd(line: string, timeoutMs?: number): Promise<Reply> {
    this.send(line);
    return this.reply(timeoutMs);
  }

  async expect(line: string, code: number): Promise<Reply> {
    const r = await this.cmd(line);
    if (r.code !== code) throw new Error(`${line} → ${r.code} ${r.message} (expected ${code})`);
    return r;
  }

  /** AUTH TLS, PBSZ 0, PROT P, then USER/PASS (curl's order) and TYPE I. */
  async secureLogin(user = "alice", password = "secret"): Promise<void> {
    if (!this.control) await this.auth();
    await this.expect("PBSZ 0", 200);
    await this.expect("PROT P", 200);
    await this.expect(`USER ${user}`, 331);
    await this.expect(`PASS ${password}`, 230);
    await this.expect("TYPE I", 200);
  }

  /** PASV (or EPSV) and a plain TCP connection to the announced port. */
  async passive(kind: "PASV" | "EPSV" = "PASV"): Promise<Socket> {
    const r = await this.cmd(kind);
    if (r.code !== (kind === "PASV" ? 227 : 229)) throw new Error(`${kind} → ${r.code} ${r.message}`);
    const port = kind === "PASV" ? parsePasvReply(r.message).port : parseEpsvReply(r.message);
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    await once(socket, "connect");
    return socket;
  }

  /** PORT to a local listener; `socket` resolves when the server connects. */
  async active(): Promise<{ socket: Promise<Socket> }> {
    const server = createNetServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const socket = new Promise<Socket>((resolve) => server.once("connection", resolve));
    await this.expect(`PORT 127,0,0,1,${port >> 8},${port & 255}`, 200);
    void socket.finally(() => server.close());
    return { socket };
  }

  /** The client side of a data connection's TLS handshake, resuming the control session unless told not to (then `session` is offered, if given). */
  async secureData(raw: Socket, options: { resume?: boolean } & TestTlsOptions = {}): Promise<TLSSocket> {
    const { resume = true, ...tls } = options;
    const session = resume ? this.sessions?.latest : tls.session;
    return connectTls(raw, { ...this.tlsOptions, ...tls, session, timeoutMs: 5000 });
  }

  close(): void {
    this.socket.destroy();
  }
}

// Data-socket helpers are the same for clear and TLS sockets.
export { readAll, writeAll } from "./ftp-test-client.js";
