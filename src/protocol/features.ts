/**
 * What a server announces about itself, both ways: FEAT (RFC 2389), the
 * MLST fact list and OPTS MLST (RFC 3659 §7.8-7.9), and the text of the
 * passive-mode replies (RFC 959 227, RFC 2428 229). The client parses what
 * the server formats with the same rules; pure, no I/O.
 */
import { formatEpsvArg, formatPasvArg } from "./host-port.js";
import type { Reply } from "./types.js";

/**
 * A FEAT reply (211) as upper-cased feature name → its parameters ("" when
 * none). RFC 2389 §3.2: every line between the first and the last is one
 * feature, starting with a space; names are case-insensitive. Any other
 * code (500/502: FEAT unknown) gives an empty map: the server announces
 * nothing.
 */
export function parseFeatReply(reply: Reply): Map<string, string> {
  const features = new Map<string, string>();
  if (reply.code !== 211) return features;
  const { lines } = reply;
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const space = line.indexOf(" ");
    const name = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    features.set(name, space === -1 ? "" : line.slice(space + 1).trim());
  }
  return features;
}

/**
 * The lines of a 211 FEAT reply for `features` (each "NAME params"): a
 * first line, one line per feature with its leading space (RFC 2389 §3.2),
 * in sorted order without repeats, and a last line. The reply formatter
 * adds the codes.
 */
export function formatFeatLines(features: Iterable<string>): string[] {
  const sorted = [...new Set(features)].sort();
  return ["Features:", ...sorted.map((line) => ` ${line}`), "End"];
}

/** One fact of an MLST feature line: its name (lower-cased) and whether it is in the current set. */
export interface MlstFact {
  readonly name: string;
  readonly enabled: boolean;
}

/**
 * The parameters of the MLST feature, `type*;size*;modify;` (RFC 3659
 * §7.8): every fact the server can give, with `*` on those it gives now.
 */
export function formatMlstFeature(supported: readonly string[], enabled: readonly string[]): string {
  return supported.map((fact) => `${fact}${enabled.includes(fact) ? "*" : ""};`).join("");
}

/** Reads the parameters of an MLST feature line (the inverse of `formatMlstFeature`); names lower-cased. */
export function parseMlstFeature(params: string): MlstFact[] {
  const facts: MlstFact[] = [];
  for (const part of params.split(";")) {
    const text = part.trim();
    if (!text) continue;
    const enabled = text.endsWith("*");
    facts.push({ name: (enabled ? text.slice(0, -1) : text).toLowerCase(), enabled });
  }
  return facts;
}

/**
 * The facts an `OPTS MLST a;b;c;` argument selects among `supported`
 * (RFC 3659 §7.9): case-insensitive, unknown names ignored, each once, in
 * the order asked. An empty argument selects none.
 */
export function parseMlstOptions(value: string, supported: readonly string[]): string[] {
  const chosen: string[] = [];
  for (const part of value.split(";")) {
    const fact = part.trim().toLowerCase();
    if (supported.includes(fact) && !chosen.includes(fact)) chosen.push(fact);
  }
  return chosen;
}

/** The text of the 200 reply to OPTS MLST: the facts now selected, `MLST OPTS type;size;` (RFC 3659 §7.9). */
export function formatMlstOptsReply(enabled: readonly string[]): string {
  return `MLST OPTS ${enabled.map((fact) => `${fact};`).join("")}`;
}

/** The text of a 229 reply (RFC 2428 §3): "Entering Extended Passive Mode (|||6446|)". */
export function formatEpsvReplyText(port: number): string {
  return `Entering Extended Passive Mode (${formatEpsvArg(port)})`;
}

/** The text of a 227 reply (RFC 959 §4.1.2): "Entering Passive Mode (h1,h2,h3,h4,p1,p2)", IPv4 only. */
export function formatPasvReplyText(hp: { host: string; port: number }): string {
  return `Entering Passive Mode (${formatPasvArg(hp)})`;
}
