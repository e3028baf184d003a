/**
 * The server's side of the PROXY protocol (issue 15): which peers may send a
 * header, and reading it off a fresh control connection before FTP starts.
 * A trusted peer (the load balancer) must send one within a timeout; its
 * address then stands for the client everywhere. An untrusted peer that sends
 * one is refused: otherwise anyone could claim any address and walk past the
 * per-address limits and bans.
 */
import { BlockList, isIP } from "node:net";
import type { Duplex } from "node:stream";
import createDebug from "debug";
import { FtpInvalidOptionError } from "../errors.js";
import { parseProxyHeader, ProxyHeaderError, PROXY_V2_SIGNATURE, startsLikeProxyHeader, type ProxyHeader } from "../protocol/proxy-header.js";
import { formatReply } from "../protocol/reply-formatter.js";
import { endSocket } from "../io/socket-end.js";

const debug = createDebug("ftpwire:server");

export interface ProxyProtocolOptions {
  /** Addresses and CIDR blocks of the balancers (`10.0.0.0/8`, `fd00::/8`, `192.0.2.1`). */
  readonly trusted: readonly string[];
  /** How long a trusted peer has to send its header. Default 5000 ms. */
  readonly timeoutMs?: number;
  /**
   * Passive data connections that come through the balancer:
   * - "header" (default): the balancer sends a PROXY header on the passive
   *   ports too (HAProxy `send-proxy-v2` on those listeners), and the client
   *   it names must be the session's client: the usual peer check, kept.
   * - "balancer": accepted from a trusted balancer address without a header.
   *   An explicit opt-out: any client of that balancer who learns the port
   *   could take the transfer.
   * A data connection straight from the client's own address is accepted in
   * both modes.
   */
  readonly passive?: "header" | "balancer";
}

export interface ResolvedProxyProtocol {
  readonly isTrusted: (address: string) => boolean;
  readonly timeoutMs: number;
  readonly passive: "header" | "balancer";
}

export function resolveProxyProtocol(given: ProxyProtocolOptions | undefined): ResolvedProxyProtocol | undefined {
  if (given === undefined) return undefined;
  if (typeof given !== "object" || given === null) throw new FtpInvalidOptionError("options.proxyProtocol must be an object");
  const timeoutMs = given.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new FtpInvalidOptionError(`proxyProtocol.timeoutMs must be an integer between 1 and 600000, got ${String(timeoutMs)}`);
  }
  const passive = given.passive ?? "header";
  if (passive !== "header" && passive !== "balancer") throw new FtpInvalidOptionError(`proxyProtocol.passive must be "header" or "balancer"`);
  return { isTrusted: createProxyTrust(given.trusted), timeoutMs, passive };
}

/** Addresses and CIDR blocks (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`) allowed to send a header. */
export function createProxyTrust(trusted: readonly string[]): (address: string) => boolean {
  if (!Array.isArray(trusted)) throw new FtpInvalidOptionError("proxyProtocol.trusted must be an array of addresses or CIDR blocks");
  const list = new BlockList();
  for (const entry of trusted) {
    const [address = "", prefix, extra] = String(entry).split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
    if (family === 0 || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new FtpInvalidOptionError(`proxyProtocol.trusted: ${JSON.stringify(entry)} is not an address or CIDR block`);
    }
    list.addSubnet(address, bits, family === 4 ? "ipv4" : "ipv6");
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * Reads the PROXY header that must open `socket`, leaving every byte after it
 * unread for the FTP session. Rejects with a ProxyHeaderError on a malformed
 * or over-long header, when the peer closes first, or after `timeoutMs`.
 */
export function readProxyHeader(socket: Duplex, timeoutMs: number, maxLength = 4096): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new ProxyHeaderError(`no PROXY header within ${timeoutMs} ms`)), timeoutMs);
    const onEnd = (): void => finish(new ProxyHeaderError("connection closed before its PROXY header"));
    const onError = (error: Error): void => finish(error);
    const onReadable = (): void => {
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) {
        received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
        let result;
        try {
          result = parseProxyHeader(received, maxLength);
        } catch (error) {
          finish(error as Error);
          return;
        }
        if (result !== "incomplete") {
          const rest = received.subarray(result.length);
          finish(undefined, result.header);
          if (rest.length > 0) socket.unshift(rest);
          return;
        }
      }
    };
    function finish(error: Error | undefined, header?: ProxyHeader): void {
      clearTimeout(timer);
      socket.off("readable", onReadable).off("end", onEnd).off("close", onEnd).off("error", onError);
      if (error) reject(error);
      else resolve(header!);
    }
    socket.on("readable", onReadable).once("end", onEnd).once("close", onEnd).once("error", onError);
  });
}

/** Octets that tell a PROXY header from any FTP command: "PROXY " and the v2 signature's start. */
const DECISIVE_V1 = 6;
const DECISIVE_V2 = 5;

/**
 * Watches the first bytes from a peer that is not a trusted balancer: if they
 * are a PROXY header, the peer is claiming someone else's address, and the
 * connection is closed with 421 before the header could mean anything.
 * Commands that merely start like one ("PROT", "PASS") pass: the decision
 * waits for enough octets.
 */
export function refuseUntrustedProxyHeader(socket: Duplex, address: string): void {
  let first: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    first = Buffer.concat([first, chunk.subarray(0, PROXY_V2_SIGNATURE.length)]);
    if (!startsLikeProxyHeader(first)) return void socket.off("data", onData);
    const decisive = first[0] === 0x0d ? DECISIVE_V2 : DECISIVE_V1;
    if (first.length < decisive) return;
    socket.off("data", onData);
    debug("PROXY header from untrusted %s: refused", address);
    socket.pause();
    endSocket(socket, formatReply(421, "PROXY protocol header from an untrusted address"));
  };
  socket.prependListener("data", onData);
}
