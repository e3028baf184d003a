// Listing parser throughput: ftpwire against basic-ftp's `parseList` on
// the same deterministic 100,000-entry Unix and MLSD listings. Prints
// entries per second and the ratio; it asserts nothing about time (machines
// differ), only that both parsers found the same number of entries.
import { parseList } from "basic-ftp";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ListingParser, parseListing, type ParseListingOptions } from "../src/protocol/listing/index.js";
import type { FileInfo } from "../src/protocol/types.js";

const ENTRIES = 100_000;
const WARMUP = 2;
/** Odd, and enough for a stable median on a shared machine. */
const RUNS = 9;
const CHUNK = 64 * 1024;
/**
 * Options for rows that build what basic-ftp builds: every field of the
 * entry, but not the raw line nor (MLSD) the record of every fact as text.
 */
const LEAN: ParseListingOptions = { raw: false, facts: false };
const LEAN_LABEL = "raw: false, facts: false";
/** Fixed clock so that "recent" Unix dates mean the same thing on every run. */
const NOW = new Date(Date.UTC(2024, 5, 15, 12, 0, 0));

/** mulberry32: a tiny seeded PRNG, so every run parses identical bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ["report", "backup", "IMG", "data set", "final", "draft v2", "notes", "archive", "übersicht", "log", "x"];
const EXTS = [".txt", ".tar.gz", ".jpg", ".csv", "", ".log", ".iso"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const USERS = ["ftp", "www-data", "alice", "1000", "backup"];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function name(r: () => number, i: number): string {
  return `${pick(r, WORDS)}_${i}${pick(r, EXTS)}`;
}

export function unixListing(): string {
  const r = rng(0x5eed);
  const lines = ["total 123456"];
  for (let i = 0; i < ENTRIES; i++) {
    const kind = r();
    const dir = kind < 0.15;
    const link = !dir && kind < 0.2;
    const perms = dir ? "drwxr-xr-x" : link ? "lrwxrwxrwx" : pick(r, ["-rw-r--r--", "-rwxr-xr-x", "-rw-------"]);
    const size = dir ? 4096 : Math.floor(r() ** 3 * 5e9);
    const day = String(1 + Math.floor(r() * 28)).padStart(2, " ");
    const when =
      r() < 0.5
        ? `${String(Math.floor(r() * 24)).padStart(2, "0")}:${String(Math.floor(r() * 60)).padStart(2, "0")}`
        : ` ${1995 + Math.floor(r() * 28)}`;
    const month = pick(r, MONTHS.slice(0, 5)); // "recent" months, before NOW
    const n = name(r, i);
    lines.push(
      `${perms} ${String(1 + Math.floor(r() * 9)).padStart(3)} ${pick(r, USERS).padEnd(8)} ${pick(r, USERS).padEnd(8)} ${String(size).padStart(10)} ${month} ${day} ${when} ${n}${link ? ` -> ../target/${n}` : ""}`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

export function mlsdListing(): string {
  const r = rng(0xfac75);
  const lines: string[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const dir = r() < 0.15;
    const y = 1995 + Math.floor(r() * 29);
    const stamp =
      String(y) +
      [1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28), Math.floor(r() * 24), Math.floor(r() * 60), Math.floor(r() * 60)]
        .map((v) => String(v).padStart(2, "0"))
        .join("");
    const size = dir ? "" : `size=${Math.floor(r() ** 3 * 5e9)};`;
    lines.push(
      `type=${dir ? "dir" : "file"};${size}modify=${stamp};perm=${dir ? "flcdmpe" : "adfrw"};UNIX.mode=0${dir ? 755 : 644};UNIX.owner=${1000 + Math.floor(r() * 5)};UNIX.group=100;unique=803U${i.toString(16)}; ${name(r, i)}`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * A full collection before each timed run, so that neither parser pays for
 * the garbage the previous run left behind (the standard trick to reach
 * `gc` without starting node with --expose-gc).
 */
function gcFunction(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
let collect: () => void = () => {};

/**
 * Times `a` and `b` alternately (WARMUP untimed rounds, then RUNS timed
 * ones) so that background load hits both alike. Returns the median
 * entries/s of each and their entry counts.
 */
function measurePair(a: () => number, b: () => number): { rates: [number, number]; counts: [number, number] } {
  const times: [number[], number[]] = [[], []];
  const counts: [number, number] = [0, 0];
  const fns = [a, b] as const;
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (let k = 0; k < 2; k++) {
      collect();
      const t0 = performance.now();
      counts[k] = fns[k]!();
      if (round >= WARMUP) times[k]!.push(performance.now() - t0);
    }
  }
  return {
    rates: [counts[0] / (median(times[0]) / 1000), counts[1] / (median(times[1]) / 1000)],
    counts,
  };
}

/**
 * Collects every entry, as the client's `list()` does: basic-ftp's
 * `parseList` and `parseListing` return all 100,000 entries too, and
 * entries that die young would spare the collector work the others pay.
 */
function streamed(bytes: Buffer, format: "list" | "mlsd", options: ParseListingOptions): number {
  const p = new ListingParser({ ...options, format, now: NOW });
  const entries: FileInfo[] = [];
  for (let off = 0; off < bytes.length; off += CHUNK) {
    for (const entry of p.push(bytes.subarray(off, off + CHUNK))) entries.push(entry);
  }
  for (const entry of p.end()) entries.push(entry);
  return entries.length;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export async function run(): Promise<void> {
  collect = gcFunction();
  const listings = { unix: unixListing(), mlsd: mlsdListing() } as const;
  const rows: string[][] = [];
  let mismatch = false;
  for (const [format, text] of Object.entries(listings) as [keyof typeof listings, string][]) {
    const kind = format === "unix" ? "list" : "mlsd";
    const bytes = Buffer.from(text, "utf8");
    const variants: [string, () => number][] = [
      [`${format} (string)`, () => parseListing(text, kind, { now: NOW }).length],
      [`${format} (Buffer, 64 KiB chunks)`, () => streamed(bytes, kind, {})],
      // The fields basic-ftp produces: without the raw line and the MLSD facts record.
      [`${format} (string, ${LEAN_LABEL})`, () => parseListing(text, kind, { ...LEAN, now: NOW }).length],
      [`${format} (Buffer, ${LEAN_LABEL})`, () => streamed(bytes, kind, LEAN)],
    ];
    for (const [label, fn] of variants) {
      const { rates, counts } = measurePair(fn, () => parseList(text).length);
      if (counts[0] !== counts[1]) mismatch = true;
      rows.push([label, fmt(rates[0]), fmt(rates[1]), `${(rates[0] / rates[1]).toFixed(2)}×`, `${counts[0]} / ${counts[1]}`]);
    }
  }
  const head = ["format", "ftpwire entries/s", "basic-ftp entries/s", "ratio", "entries (ftpwire / basic-ftp)"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  console.log(`(${ENTRIES} entries per listing, median of ${RUNS} alternating runs after ${WARMUP} warm-up rounds, full GC before each run, Node ${process.version})`);
  console.log(
    "Note: for LIST, basic-ftp keeps the date as text (rawModifiedAt) and builds no Date; ftpwire builds a Date per entry (both do for MLSD).",
  );
  console.log("Every variant keeps all entries alive until the run ends (the Buffer rows collect them as the client's list() does).");
  console.log(`Rows without "${LEAN_LABEL}" use the defaults (what the client's list() returns: raw line and MLSD facts record included).`);
  if (mismatch) {
    console.error("Entry counts differ between ftpwire and basic-ftp");
    process.exitCode = 1;
  }
}
