/**
 * Codecs for the four ways FTP names a data endpoint: the PASV reply (227),
 * the PORT argument, the EPSV reply (229) and the EPRT argument (RFC 959,
 * RFC 2428). Replies come from a peer we do not control, so their parsers
 * are lenient about surrounding text and throw `FtpProtocolError`; arguments
 * are what a server receives from a client, so their parsers are strict and
 * throw `FtpInvalidArgumentError` (the server answers 501).
 */
import { isIPv4, isIPv6 } from "node:net";
import { FtpInvalidArgumentError, FtpProtocolError } from "../errors.js";
import type { HostPort } from "./types.js";

type ErrorClass = typeof FtpProtocolError | typeof FtpInvalidArgumentError;

/** "::ffff:1.2.3.4" → "1.2.3.4"; any other address is returned unchanged. */
export function unmapIPv4(address: string): string {
  if (address.length > 7 && address.charCodeAt(0) === 58 /* : */) {
    const lower = address.toLowerCase();
    if (lower.startsWith("::ffff:")) {
      const rest = address.slice(7);
      if (isIPv4(rest)) return rest;
    }
  }
  return address;
}

function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function checkPort(port: number, Err: ErrorClass): number {
  if (!isValidPort(port)) throw new Err(`Invalid port ${String(port)} (must be 1-65535)`);
  return port;
}

/**
 * Reads a decimal number of at most `maxDigits` digits at `from`; returns
 * the value and the index after it, or undefined when no digit is there.
 */
function readNumber(text: string, from: number, maxDigits: number): [number, number] | undefined {
  let value = 0;
  let i = from;
  while (i < text.length && i - from < maxDigits) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  return i === from ? undefined : [value, i];
}

/**
 * Tries to read `h1,h2,h3,h4,p1,p2` starting exactly at `from`. Spaces
 * around the commas are tolerated because a few old servers print them.
 */
function readSixNumbers(text: string, from: number): [number[], number] | undefined {
  const out: number[] = [];
  let i = from;
  for (let n = 0; n < 6; n++) {
    if (n > 0) {
      while (text.charCodeAt(i) === 32) i++;
      if (text.charCodeAt(i) !== 44 /* , */) return undefined;
      i++;
      while (text.charCodeAt(i) === 32) i++;
    }
    // Read up to 4 digits so that "1234" is seen as out of range, not as "123".
    const r = readNumber(text, i, 4);
    if (!r) return undefined;
    out.push(r[0]);
    i = r[1];
  }
  const next = text.charCodeAt(i);
  if (next >= 48 && next <= 57) return undefined;
  return [out, i];
}

function sixNumbersToHostPort(nums: readonly number[], Err: ErrorClass): HostPort {
  for (const n of nums) {
    if (n > 255) throw new Err(`Invalid host-port number ${n} (must be 0-255)`);
  }
  const [h1, h2, h3, h4, p1, p2] = nums as [number, number, number, number, number, number];
  const port = checkPort(p1 * 256 + p2, Err);
  return { host: `${h1}.${h2}.${h3}.${h4}`, port, family: 4 };
}

/**
 * Parses the text of a 227 reply. The six numbers may appear anywhere, with
 * or without parentheses ("Entering Passive Mode (10,0,0,1,4,1)" or
 * "=10,0,0,1,4,1").
 */
export function parsePasvReply(text: string): HostPort {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (prev >= 48 && prev <= 57) continue; // only start at the first digit of a number
    const found = readSixNumbers(text, i);
    if (found) return sixNumbersToHostPort(found[0], FtpProtocolError);
  }
  throw new FtpProtocolError(`Cannot find a host and port in PASV reply: ${JSON.stringify(text)}`);
}

function ipv4ForPort(host: string): string {
  const h = unmapIPv4(host);
  if (!isIPv4(h)) throw new FtpInvalidArgumentError(`PASV/PORT need an IPv4 address, got ${JSON.stringify(host)}`);
  return h;
}

/** `{host: "127.0.0.1", port: 1025}` → "127,0,0,1,4,1" (IPv4 only). */
export function formatPasvArg(hp: { host: string; port: number }): string {
  const host = ipv4ForPort(hp.host);
  const port = checkPort(hp.port, FtpInvalidArgumentError);
  return `${host.replaceAll(".", ",")},${port >>> 8},${port & 255}`;
}

/** Same text as the PASV reply carries. */
export function formatPortArg(hp: { host: string; port: number }): string {
  return formatPasvArg(hp);
}

/** Parses a PORT argument; the whole argument must be `h1,h2,h3,h4,p1,p2`. */
export function parsePortArg(arg: string): HostPort {
  const text = arg.trim();
  const found = readSixNumbers(text, 0);
  if (!found || found[1] !== text.length) {
    throw new FtpInvalidArgumentError(`Invalid PORT argument: ${JSON.stringify(arg)}`);
  }
  return sixNumbersToHostPort(found[0], FtpInvalidArgumentError);
}

/** RFC 2428: the delimiter is any printable ASCII character (33-126). */
function isDelimiter(c: number): boolean {
  return c >= 33 && c <= 126;
}

/**
 * Parses the text of a 229 reply, "Entering Extended Passive Mode (|||6446|)".
 * The delimiter may be any printable character; the three leading ones
 * must be equal (the address and family fields are empty).
 */
export function parseEpsvReply(text: string): number {
  for (let i = 0; i + 4 < text.length; i++) {
    const d = text.charCodeAt(i);
    if (!isDelimiter(d) || (d >= 48 && d <= 57)) continue;
    if (text.charCodeAt(i + 1) !== d || text.charCodeAt(i + 2) !== d) continue;
    const r = readNumber(text, i + 3, 6);
    if (!r || text.charCodeAt(r[1]) !== d) continue;
    return checkPort(r[0], FtpProtocolError);
  }
  throw new FtpProtocolError(`Cannot find a port in EPSV reply: ${JSON.stringify(text)}`);
}

/** 6446 → "|||6446|" */
export function formatEpsvArg(port: number): string {
  return `|||${checkPort(port, FtpInvalidArgumentError)}|`;
}

/**
 * Parses an EPRT argument `<d><af><d><addr><d><port><d>`. A well-formed
 * argument with an address family other than 1 (IPv4) or 2 (IPv6) gives
 * "unsupported-family" so the server can answer 522 instead of 501.
 */
export function parseEprtArg(arg: string): HostPort | "unsupported-family" {
  const bad = (why: string): FtpInvalidArgumentError =>
    new FtpInvalidArgumentError(`Invalid EPRT argument ${JSON.stringify(arg)}: ${why}`);
  const text = arg.trim();
  if (text.length < 7) throw bad("too short");
  const d = text.charCodeAt(0);
  if (!isDelimiter(d) || (d >= 48 && d <= 57)) throw bad("bad delimiter");
  const parts = text.split(text.charAt(0));
  if (parts.length !== 5 || parts[0] !== "" || parts[4] !== "") throw bad("expected four delimiters");
  const [, af = "", host = "", portText = ""] = parts;
  if (!/^\d{1,3}$/.test(af)) throw bad("bad address family");
  if (!/^\d{1,5}$/.test(portText)) throw bad("bad port");
  const port = Number(portText);
  if (!isValidPort(port)) throw bad("port out of range");
  if (af !== "1" && af !== "2") return "unsupported-family";
  if (af === "1") {
    if (!isIPv4(host)) throw bad("not an IPv4 address");
    return { host, port, family: 4 };
  }
  if (!isIPv6(host)) throw bad("not an IPv6 address");
  return { host, port, family: 6 };
}

/** `{host: "1.2.3.4", port: 5282}` → "|1|1.2.3.4|5282|"; IPv6 → "|2|::1|5282|". */
export function formatEprtArg(hp: { host: string; port: number }): string {
  const port = checkPort(hp.port, FtpInvalidArgumentError);
  const host = unmapIPv4(hp.host);
  if (isIPv4(host)) return `|1|${host}|${port}|`;
  if (isIPv6(host)) return `|2|${host}|${port}|`;
  throw new FtpInvalidArgumentError(`EPRT needs an IP address, got ${JSON.stringify(hp.host)}`);
}
