// The transfer display on its own, with an injected clock: hash marks, the
// bar with and without a known size, and the summary line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TransferDisplay, formatBytes, transferSummary } from "../../src/cli/progress.js";

function display(options: { hashBytes?: number; bar?: boolean; total?: number }) {
  let now = 1_000;
  let text = "";
  const d = new TransferDisplay({ hashBytes: options.hashBytes ?? 0, bar: options.bar ?? false, columns: 80, label: "file.bin", now: () => now, ...(options.total !== undefined ? { total: options.total } : {}) }, (t) => (text += t));
  return { d, text: () => text, tick: (ms: number) => (now += ms) };
}

test("hash marks: one # per hashBytes crossed, a newline at the end", () => {
  const { d, text } = display({ hashBytes: 1024 });
  d.update({ bytes: 1000 });
  d.update({ bytes: 3 * 1024 });
  d.update({ bytes: 3 * 1024 + 10 });
  d.finish();
  assert.equal(text(), "###\n");
});

test("the bar with a known size shows percent, bytes, rate and ETA", () => {
  const { d, text, tick } = display({ bar: true, total: 4 * 1024 * 1024 });
  tick(1000);
  d.update({ bytes: 1024 * 1024 });
  assert.match(text(), /^\rfile\.bin \|\*+ +\| +25% +1\.00 MiB +1\.00 MiB\/s 00:03 ETA$/);
  assert.ok(text().length <= 81, "fits in 80 columns");
});

test("a size the transfer outgrows, or none, shows bytes, rate and elapsed time", () => {
  const { d, text, tick } = display({ bar: true, total: 52 });
  tick(2000);
  d.update({ bytes: 2 * 1024 * 1024 });
  assert.match(text(), /^\rfile\.bin +2\.00 MiB +1\.00 MiB\/s 00:02$/);
});

test("sizes and the tnftp summary line", () => {
  assert.equal(formatBytes(22.98), "23 B");
  assert.equal(formatBytes(1536), "1.50 KiB");
  assert.equal(transferSummary(16, 15, "sent"), "16 bytes sent in 00:00 (1.04 KiB/s)");
  assert.equal(transferSummary(3 * 1024 * 1024, 61_000, "received"), "3145728 bytes received in 01:01 (50.36 KiB/s)");
});
