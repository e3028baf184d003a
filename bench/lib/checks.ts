// The targets of issue 6, as ratio checks over rows measured in the same run.
// A check appears when at least one of its rows was recorded; when another
// input is missing or n/a it says so instead of guessing.
import { hasRow, value } from "./results.js";
import { formatBytes, formatNumber, MiB } from "./stats.js";

export interface CheckOutcome {
  target: string;
  measured: string;
  verdict: string;
}

interface Check {
  inputs: readonly string[];
  evaluate(): CheckOutcome;
}

function missing(target: string, keys: readonly string[], metric: string): CheckOutcome | undefined {
  const absent = keys.filter((k) => value(k, metric) === undefined);
  if (absent.length === 0) return undefined;
  return { target, measured: "—", verdict: `n/a (no ${metric} for ${absent.join(", ")})` };
}

const pct = (x: number): string => `${formatNumber(x * 100, 0)}%`;

/** a / b ≥ min (or ≤ max when `atMost`). */
function ratio(target: string, a: string, b: string, metric: string, bound: number, atMost = false): Check {
  return {
    inputs: [a, b],
    evaluate() {
      const m = missing(target, [a, b], metric);
      if (m) return m;
      const r = value(a, metric)! / value(b, metric)!;
      const ok = atMost ? r <= bound : r >= bound;
      const miss = atMost ? (r - bound) / bound : (bound - r) / bound;
      return {
        target,
        measured: `${formatNumber(r, 2)}×`,
        verdict: ok ? "met" : `missed by ${pct(miss)} (needs ${atMost ? "≤" : "≥"} ${formatNumber(bound, 2)}×)`,
      };
    },
  };
}

function lessCpu(target: string, a: string, b: string): Check {
  return {
    inputs: [a, b],
    evaluate() {
      const m = missing(target, [a, b], "cpuPerGiB");
      if (m) return m;
      const x = value(a, "cpuPerGiB")!;
      const y = value(b, "cpuPerGiB")!;
      return {
        target,
        measured: `${formatNumber(x, 2)} vs ${formatNumber(y, 2)} CPU s/GiB`,
        verdict: x < y ? "met" : `missed by ${pct((x - y) / y)}`,
      };
    },
  };
}

function zero(target: string, key: string, metric: string): Check {
  return {
    inputs: [key],
    evaluate() {
      const m = missing(target, [key], metric);
      if (m) return m;
      const v = value(key, metric)!;
      return { target, measured: formatNumber(v), verdict: v === 0 ? "met" : `missed by ${formatNumber(v)}` };
    },
  };
}

function below(target: string, key: string, metric: string, limit: number): Check {
  return {
    inputs: [key],
    evaluate() {
      const m = missing(target, [key], metric);
      if (m) return m;
      const v = value(key, metric)!;
      return {
        target,
        measured: formatBytes(v),
        verdict: v < limit ? "met" : `missed by ${formatBytes(v - limit)}`,
      };
    },
  };
}

const L = (pair: string, dir: string): string => `large:${pair}:${dir}`;

const CHECKS: readonly Check[] = [
  ratio("large ftpwire↔ftpwire RETR ≥ 0.85× loopback", L("ftpwire-ftpwire", "retr"), "loopback:2proc", "mbps", 0.85),
  ratio("large ftpwire↔ftpwire STOR ≥ 0.75× loopback", L("ftpwire-ftpwire", "stor"), "loopback:2proc", "mbps", 0.75),
  ratio("large ftpwire↔ftpwire RETR ≥ 2× basic-ftp↔ftp-srv", L("ftpwire-ftpwire", "retr"), L("basic-ftp-ftp-srv", "retr"), "mbps", 2),
  ratio("large ftpwire↔ftpwire STOR ≥ 2× basic-ftp↔ftp-srv", L("ftpwire-ftpwire", "stor"), L("basic-ftp-ftp-srv", "stor"), "mbps", 2),
  ratio("large curl↔ftpwire RETR ≥ 0.8× curl↔vsftpd", L("curl-ftpwire", "retr"), L("curl-vsftpd", "retr"), "mbps", 0.8),
  ratio("large ftpwire↔vsftpd RETR ≥ 1.1× basic-ftp↔vsftpd", L("ftpwire-vsftpd", "retr"), L("basic-ftp-vsftpd", "retr"), "mbps", 1.1),
  lessCpu("large ftpwire↔vsftpd RETR: less CPU/GiB than basic-ftp↔vsftpd", L("ftpwire-vsftpd", "retr"), L("basic-ftp-vsftpd", "retr")),
  ratio("small ftpwire 1 conn ≥ 1.2× basic-ftp↔vsftpd", "small:ftpwire-1", "small:basic-ftp-vsftpd", "filesPerSec", 1.2),
  ratio("small ftpwire 8 conns ≥ 2× lftp --parallel=8↔vsftpd", "small:ftpwire-8", "small:lftp-vsftpd", "filesPerSec", 2),
  ratio("listing LIST ftpwire↔ftpwire ≥ 3× basic-ftp↔ftp-srv", "listing:ftpwire-ftpwire:LIST", "listing:basic-ftp-ftp-srv:LIST", "entriesPerSec", 3),
  ratio("listing MLSD ftpwire↔ftpwire ≥ 3× basic-ftp↔ftp-srv (LIST; ftp-srv has no MLSD)", "listing:ftpwire-ftpwire:MLSD", "listing:basic-ftp-ftp-srv:LIST", "entriesPerSec", 3),
  zero("sessions: ftpwire server 0 failures", "sessions:ftpwire", "failures"),
  ratio("sessions: ftpwire wall ≤ 0.5× ftp-srv", "sessions:ftpwire", "sessions:ftp-srv", "wallMs", 0.5, true),
  ratio("sessions: memory growth per session (peak − idle RSS) ≤ 1/3 ftp-srv", "sessions:ftpwire", "sessions:ftp-srv", "growthPerSession", 1 / 3, true),
  below("memory: client peak RSS < 150 MiB (RETR, largest size)", "memory:retr:big", "clientPeak", 150 * MiB),
  below("memory: server peak RSS < 150 MiB (RETR, largest size)", "memory:retr:big", "serverPeak", 150 * MiB),
  below("memory: client peak RSS < 150 MiB (STOR, largest size)", "memory:stor:big", "clientPeak", 150 * MiB),
  below("memory: server peak RSS < 150 MiB (STOR, largest size)", "memory:stor:big", "serverPeak", 150 * MiB),
];

export function evaluateChecks(): CheckOutcome[] {
  return CHECKS.filter((c) => c.inputs.some(hasRow)).map((c) => c.evaluate());
}
