/**
 * What a transfer shows while it runs and when it ends: ftp(1)'s hash marks
 * (`#` per N bytes), a one-line progress bar with rate and ETA on a
 * terminal, and the "N bytes received in S secs (R)" line. A small renderer
 * of our own rather than a dependency: one line, redrawn with `\r`, at most
 * every 100 ms.
 */
import type { ProgressInfo } from "../index.js";

export interface TransferDisplayOptions {
  /** Bytes per hash mark; 0 = no marks. */
  readonly hashBytes: number;
  /** Draw the bar (only when the output is a terminal). */
  readonly bar: boolean;
  readonly columns?: number;
  readonly label: string;
  /** Size when known, for the percentage and the ETA. */
  readonly total?: number;
  readonly now?: () => number;
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(n)} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${String(m).padStart(2, "0")}:${rest}`;
}

/** "6 bytes received in 00:00 (1.54 KiB/s)", as tnftp (Debian's ftp) prints after a transfer. */
export function transferSummary(bytes: number, ms: number, direction: "received" | "sent"): string {
  const rate = ms > 0 ? (bytes * 1000) / ms : bytes;
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = rate;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${bytes} bytes ${direction} in ${formatDuration(ms / 1000)} (${v.toFixed(2)} ${units[u]}/s)`;
}

/** Follows one transfer's progress events and writes marks or a bar to `write`. */
export class TransferDisplay {
  private readonly started: number;
  private marks = 0;
  private lastDraw = 0;
  private drawn = false;
  private bytes = 0;
  private readonly now: () => number;

  constructor(
    private readonly options: TransferDisplayOptions,
    private readonly write: (text: string) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  update(info: Pick<ProgressInfo, "bytes" | "total">): void {
    this.bytes = info.bytes;
    if (this.options.hashBytes > 0) {
      const due = Math.floor(info.bytes / this.options.hashBytes);
      if (due > this.marks) this.write("#".repeat(due - this.marks));
      this.marks = Math.max(this.marks, due);
    }
    if (this.options.bar) {
      const t = this.now();
      if (t - this.lastDraw >= 100 || (info.total !== undefined && info.bytes >= info.total)) {
        this.lastDraw = t;
        this.draw(info.bytes, info.total ?? this.options.total);
      }
    }
  }

  private draw(bytes: number, given: number | undefined): void {
    // A size the server announced but the transfer has outgrown (a file still growing) is no size.
    const total = given !== undefined && bytes <= given ? given : undefined;
    const elapsed = (this.now() - this.started) / 1000;
    const rate = elapsed > 0 ? bytes / elapsed : 0;
    const columns = Math.max(40, this.options.columns ?? 80);
    const tail = total !== undefined && total > 0
      ? ` ${String(Math.min(100, Math.floor((bytes * 100) / total))).padStart(3)}% ${formatBytes(bytes).padStart(9)} ${formatBytes(rate).padStart(9)}/s ${formatDuration(rate > 0 ? (total - bytes) / rate : Infinity)} ETA`
      : ` ${formatBytes(bytes).padStart(9)} ${formatBytes(rate).padStart(9)}/s ${formatDuration(elapsed)}`;
    const label = this.options.label.length > 24 ? `…${this.options.label.slice(-23)}` : this.options.label;
    const barWidth = Math.max(5, columns - label.length - tail.length - 4);
    const filled = total !== undefined && total > 0 ? Math.min(barWidth, Math.round((bytes / total) * barWidth)) : 0;
    const bar = total !== undefined && total > 0 ? `|${"*".repeat(filled)}${" ".repeat(barWidth - filled)}|` : "";
    this.write(`\r${label} ${bar}${tail}`);
    this.drawn = true;
  }

  /** Ends the marks or bar with a newline (nothing when nothing was drawn). */
  finish(): void {
    if (this.options.bar && this.drawn) {
      this.draw(this.bytes, this.options.total ?? this.bytes);
      this.write("\n");
    } else if (this.marks > 0) this.write("\n");
  }
}
