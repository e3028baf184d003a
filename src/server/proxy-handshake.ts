/**
 * The server's side of the PROXY protocol (issue 15): which peers may send a
 * header, and reading it off a fresh control connection before FTP starts.
 * A trusted peer (the load balancer) must send one within a timeout; its
 * address then stands for the client everywhere. An untrusted peer that sends
 * one is refused: otherwise anyone could claim any address and walk past the
 * per-address limits and bans.
 */
import { BlockList, isIP, type Socket } from "node:net";
import { FtpInvalidOptionError } from "../errors.js";
import { parseProxyHeader, ProxyHeaderError, type ProxyHeader } from "../protocol/proxy-header.js";

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
export function readProxyHeader(socket: Socket, timeoutMs: number, maxLength = 4096): Promise<ProxyHeader> {
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
