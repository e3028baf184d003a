/**
 * The PROXY protocol header (HAProxy's specification, versions 1 and 2) that a
 * TCP load balancer puts before the first byte of a connection to say whom
 * the connection really comes from. Pure decoding: the caller feeds what it
 * has received so far and gets "need more", a header and its length, or a
 * `ProxyHeaderError`. Nothing here trusts the sender; deciding who may send a
 * header is the server's job (server/proxy-handshake.ts).
 *
 * - v1 is one text line: `PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n`,
 *   at most 107 octets with its CRLF.
 * - v2 is binary: a 12-octet signature, version/command, family/transport,
 *   a 16-bit length, then the addresses and optional TLVs (skipped here).
 *   Command LOCAL (a health check by the balancer itself) carries no client.
 */
import { isIP } from "node:net";

export interface ProxyAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

export interface ProxyHeader {
  readonly version: 1 | 2;
  /** "local": the balancer speaking for itself (no client address); "proxy": relayed. */
  readonly command: "local" | "proxy";
  /** The client, when the header names one (not for LOCAL, UNKNOWN or AF_UNSPEC/AF_UNIX). */
  readonly source: ProxyAddress | undefined;
  readonly destination: ProxyAddress | undefined;
}

export type ProxyHeaderResult = { readonly header: ProxyHeader; readonly length: number } | "incomplete";

export class ProxyHeaderError extends Error {
  override readonly name = "ProxyHeaderError";
}

export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const PROXY_V1_PREFIX = Buffer.from("PROXY ", "latin1");
const V1_MAX_LENGTH = 107;
const V2_FIXED_LENGTH = 16;

/** Whether `bytes` (the first ones of a connection) start, or could start, a PROXY header. */
export function startsLikeProxyHeader(bytes: Buffer): boolean {
  const v1 = bytes.subarray(0, PROXY_V1_PREFIX.length);
  const v2 = bytes.subarray(0, PROXY_V2_SIGNATURE.length);
  return (v1.length > 0 && PROXY_V1_PREFIX.subarray(0, v1.length).equals(v1)) || (v2.length > 0 && PROXY_V2_SIGNATURE.subarray(0, v2.length).equals(v2));
}

/**
 * Decodes the header at the start of `bytes`. `maxLength` bounds a v2 header
 * with its TLVs (the v1 bound is the specification's 107 octets).
 */
export function parseProxyHeader(bytes: Buffer, maxLength = 4096): ProxyHeaderResult {
  if (bytes.length === 0) return "incomplete";
  if (bytes[0] === 0x0d) return parseV2(bytes, maxLength);
  if (bytes[0] === 0x50) return parseV1(bytes);
  throw new ProxyHeaderError("no PROXY protocol header");
}

function parseV1(bytes: Buffer): ProxyHeaderResult {
  const seen = Math.min(bytes.length, PROXY_V1_PREFIX.length);
  if (!bytes.subarray(0, seen).equals(PROXY_V1_PREFIX.subarray(0, seen))) throw new ProxyHeaderError("no PROXY protocol header");
  const end = bytes.subarray(0, V1_MAX_LENGTH).indexOf("\r\n");
  if (end === -1) {
    if (bytes.length >= V1_MAX_LENGTH) throw new ProxyHeaderError(`PROXY v1 line longer than ${V1_MAX_LENGTH} octets`);
    return "incomplete";
  }
  const fields = bytes.subarray(PROXY_V1_PREFIX.length, end).toString("latin1").split(" ");
  const length = end + 2;
  if (fields[0] === "UNKNOWN") return { header: { version: 1, command: "proxy", source: undefined, destination: undefined }, length };
  if (fields.length !== 5 || (fields[0] !== "TCP4" && fields[0] !== "TCP6")) {
    throw new ProxyHeaderError("PROXY v1 line is not 'TCP4|TCP6 src dst sport dport'");
  }
  const family = fields[0] === "TCP4" ? 4 : 6;
  const source = v1Address(fields[1]!, fields[3]!, family);
  const destination = v1Address(fields[2]!, fields[4]!, family);
  return { header: { version: 1, command: "proxy", source, destination }, length };
}

function v1Address(address: string, port: string, family: 4 | 6): ProxyAddress {
  if (isIP(address) !== family) throw new ProxyHeaderError(`PROXY v1 address ${JSON.stringify(address)} is not IPv${family}`);
  // The specification: decimal, no leading zero, 0..65535.
  if (!/^(0|[1-9]\d{0,4})$/.test(port) || Number(port) > 65535) throw new ProxyHeaderError(`PROXY v1 port ${JSON.stringify(port)} is invalid`);
  return { address, port: Number(port), family };
}

function parseV2(bytes: Buffer, maxLength: number): ProxyHeaderResult {
  const seen = Math.min(bytes.length, PROXY_V2_SIGNATURE.length);
  if (!bytes.subarray(0, seen).equals(PROXY_V2_SIGNATURE.subarray(0, seen))) throw new ProxyHeaderError("no PROXY protocol header");
  if (bytes.length < V2_FIXED_LENGTH) return "incomplete";
  const versionCommand = bytes[12]!;
  if (versionCommand >> 4 !== 2) throw new ProxyHeaderError(`PROXY v2 version ${versionCommand >> 4} is not 2`);
  const command = versionCommand & 0x0f;
  if (command > 1) throw new ProxyHeaderError(`PROXY v2 command ${command} is neither LOCAL nor PROXY`);
  const length = V2_FIXED_LENGTH + bytes.readUInt16BE(14);
  if (length > maxLength) throw new ProxyHeaderError(`PROXY v2 header of ${length} octets is over the limit of ${maxLength}`);
  if (bytes.length < length) return "incomplete";
  if (command === 0) return { header: { version: 2, command: "local", source: undefined, destination: undefined }, length };
  const family = bytes[13]! >> 4;
  const body = bytes.subarray(V2_FIXED_LENGTH, length);
  if (family === 1) {
    if (body.length < 12) throw new ProxyHeaderError("PROXY v2 IPv4 addresses are truncated");
    const ip = (at: number) => `${body[at]}.${body[at + 1]}.${body[at + 2]}.${body[at + 3]}`;
    return {
      header: {
        version: 2,
        command: "proxy",
        source: { address: ip(0), port: body.readUInt16BE(8), family: 4 },
        destination: { address: ip(4), port: body.readUInt16BE(10), family: 4 },
      },
      length,
    };
  }
  if (family === 2) {
    if (body.length < 36) throw new ProxyHeaderError("PROXY v2 IPv6 addresses are truncated");
    return {
      header: {
        version: 2,
        command: "proxy",
        source: { address: ipv6(body.subarray(0, 16)), port: body.readUInt16BE(32), family: 6 },
        destination: { address: ipv6(body.subarray(16, 32)), port: body.readUInt16BE(34), family: 6 },
      },
      length,
    };
  }
  // AF_UNSPEC or AF_UNIX: relayed, but with no address a TCP peer check could use.
  return { header: { version: 2, command: "proxy", source: undefined, destination: undefined }, length };
}

/** The compressed text form (RFC 5952) of a 16-octet IPv6 address. */
function ipv6(octets: Buffer): string {
  // IPv4-mapped (::ffff:a.b.c.d) in the form Node gives `socket.remoteAddress`.
  if (octets.subarray(0, 10).every((o) => o === 0) && octets[10] === 0xff && octets[11] === 0xff) {
    return `::ffff:${octets[12]}.${octets[13]}.${octets[14]}.${octets[15]}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => octets.readUInt16BE(i * 2));
  // The longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}
