/**
 * A small Redis client: one TCP connection speaking RESP2, commands pipelined
 * in order, each bounded by a timeout. Enough for the fleet's shared state (a
 * few scripts and sorted-set calls), so that sharing limits through Redis
 * needs no dependency. Not a general Redis client: no pub/sub, no cluster, no
 * RESP3.
 *
 * A lost connection rejects every command in flight; the next command
 * connects again. Deciding what an outage means is the caller's job.
 */
import { connect, type Socket } from "node:net";

export type RespValue = string | number | null | RespValue[];

/** Redis answered with an error reply (`-ERR …`), or the connection failed. */
export class RespError extends Error {
  override readonly name = "RespError";
}

export interface RespConnectionOptions {
  readonly host?: string;
  readonly port?: number;
  /** Sent with AUTH on every new connection. */
  readonly password?: string;
  /** Per command, connect included. Default 2000 ms. */
  readonly timeoutMs?: number;
}

/** Replies larger than this are a protocol error (the fleet's replies are tiny). */
const MAX_REPLY_BYTES = 1 << 20;

interface Pending {
  resolve(value: RespValue): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class RespConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closed = false;
  private readonly host: string;
  private readonly port: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: RespConnectionOptions = {}) {
    this.host = options.host ?? "127.0.0.1";
    this.port = options.port ?? 6379;
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** Sends one command; resolves with its reply, rejects with RespError. */
  command(...args: readonly (string | number)[]): Promise<RespValue> {
    if (this.closed) return Promise.reject(new RespError("connection closed"));
    const socket = this.socket ?? this.open();
    return this.send(socket, args);
  }

  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    if (!socket) return;
    this.fail(new RespError("connection closed"));
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.end();
      socket.destroySoon?.();
    });
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.drop(socket, new RespError(`redis ${this.host}:${this.port}: ${error.message}`)));
    socket.on("close", () => this.drop(socket, new RespError(`redis ${this.host}:${this.port}: connection closed`)));
    if (this.options.password !== undefined) void this.send(socket, ["AUTH", this.options.password]).catch(() => undefined);
    return socket;
  }

  private send(socket: Socket, args: readonly (string | number)[]): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.drop(socket, new RespError(`redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.push({ resolve, reject, timer });
      socket.write(encodeCommand(args));
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      let parsed: { value: RespValue | RespError; end: number } | undefined;
      try {
        parsed = parseReply(this.buffer, 0);
      } catch (error) {
        if (this.socket) this.drop(this.socket, error as RespError);
        return;
      }
      if (!parsed) {
        if (this.buffer.length > MAX_REPLY_BYTES && this.socket) this.drop(this.socket, new RespError("redis reply over 1 MiB"));
        return;
      }
      this.buffer = this.buffer.subarray(parsed.end);
      const next = this.pending.shift();
      if (!next) continue;
      clearTimeout(next.timer);
      if (parsed.value instanceof RespError) next.reject(parsed.value);
      else next.resolve(parsed.value);
    }
  }

  /** The connection is unusable: reject everything in flight, connect anew next time. */
  private drop(socket: Socket, error: RespError): void {
    socket.destroy();
    // A socket already dropped (its late 'close') must not fail the next one's commands.
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.fail(error);
  }

  private fail(error: RespError): void {
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }
}

/** A command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** One reply at `start`, or undefined when more bytes are needed. Error replies come back as values. */
export function parseReply(buffer: Buffer, start: number): { value: RespValue | RespError; end: number } | undefined {
  const lineEnd = buffer.indexOf("\r\n", start);
  if (lineEnd === -1) return undefined;
  const type = buffer[start];
  const line = buffer.toString("utf8", start + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case 0x2b: // +
      return { value: line, end: after };
    case 0x2d: // -
      return { value: new RespError(line), end: after };
    case 0x3a: // :
      return { value: integer(line), end: after };
    case 0x24: {
      // $
      const length = integer(line);
      if (length === -1) return { value: null, end: after };
      if (length < 0 || length > MAX_REPLY_BYTES) throw new RespError(`bad bulk length ${line}`);
      if (buffer.length < after + length + 2) return undefined;
      return { value: buffer.toString("utf8", after, after + length), end: after + length + 2 };
    }
    case 0x2a: {
      // *
      const count = integer(line);
      if (count === -1) return { value: null, end: after };
      if (count < 0 || count > 65_536) throw new RespError(`bad array length ${line}`);
      const items: RespValue[] = [];
      let at = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (!item) return undefined;
        if (item.value instanceof RespError) throw item.value;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new RespError(`not a RESP reply (first byte 0x${(type ?? 0).toString(16)})`);
  }
}

function integer(text: string): number {
  if (!/^-?\d{1,16}$/.test(text)) throw new RespError(`bad RESP integer ${JSON.stringify(text)}`);
  return Number(text);
}
