// The retry rules (which failures are transient), the backoff with jitter,
// the option's validation, and the loop that sleeps on an injected clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveClientOptions, CLIENT_DEFAULTS } from "../../src/client/options.js";
import { isRetryable, retryDelay, resolveRetryOptions, RETRY_DEFAULTS } from "../../src/client/retry-policy.js";
import { runWithRetry, type RetryEvent } from "../../src/client/retry-loop.js";
import {
  FtpAbortError, FtpConnectionClosedError, FtpDataConnectionError, FtpError, FtpInvalidArgumentError, FtpProtocolError,
  FtpReplyError, FtpTimeoutError, FtpTlsError,
} from "../../src/errors.js";

const reply = (code: number) => new FtpReplyError({ code, lines: [`${code} x`], message: "x" });
const errno = (code: string) => Object.assign(new Error(code), { code });
const invalid = (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_INVALID_OPTION";

test("transient: 421, 425, 426, 450, 451, 452 (not for uploads); lost connections, broken data connections, timeouts", () => {
  for (const code of [421, 425, 426, 450, 451, 452]) assert.equal(isRetryable(reply(code)), true, String(code));
  assert.equal(isRetryable(reply(452), "upload"), false, "452 on an upload: the disk is full");
  assert.equal(isRetryable(reply(450), "upload"), true);
  assert.equal(isRetryable(new FtpConnectionClosedError("lost", { cause: errno("ECONNRESET") })), true);
  assert.equal(isRetryable(new FtpConnectionClosedError("421 closing", { reply: { code: 421, lines: [], message: "" } })), true);
  assert.equal(isRetryable(new FtpDataConnectionError("reset", { cause: errno("EPIPE") })), true);
  assert.equal(isRetryable(new FtpTimeoutError("No reply within 30000 ms")), true);
  for (const code of ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED"]) assert.equal(isRetryable(errno(code)), true, code);
});

test("never: 530 and other 5xx, other 4xx, TLS failures (also under a close), aborts, bad arguments, protocol breaks, local errors", () => {
  for (const code of [530, 500, 501, 550, 552, 553, 431]) assert.equal(isRetryable(reply(code)), false, String(code));
  assert.equal(isRetryable(new FtpConnectionClosedError("530 after login", { reply: { code: 530, lines: [], message: "" } })), false);
  assert.equal(isRetryable(new FtpTlsError("self-signed certificate", { cause: errno("DEPTH_ZERO_SELF_SIGNED_CERT") })), false);
  assert.equal(isRetryable(new FtpConnectionClosedError("closed", { cause: new FtpTlsError("bad cert") })), false);
  assert.equal(isRetryable(new FtpAbortError()), false);
  assert.equal(isRetryable(new FtpInvalidArgumentError("CR in path")), false);
  assert.equal(isRetryable(new FtpProtocolError("garbage")), false);
  assert.equal(isRetryable(errno("ENOSPC")), false, "a local disk error is the caller's");
  assert.equal(isRetryable(new Error("anything")), false);
});

test("backoff doubles from minDelayMs, stops at maxDelayMs, and jitters within the upper half of each step", () => {
  const o = resolveRetryOptions({ attempts: 10, minDelayMs: 100, maxDelayMs: 1000 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, o, () => 0.999999)), [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelay(n, o, () => 0)), [50, 100, 200, 400, 500]);
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  for (let n = 1; n <= 20; n++) {
    const step = Math.min(1000, 100 * 2 ** (n - 1));
    const d = retryDelay(n, o, random);
    assert.ok(d >= step / 2 && d <= step, `attempt ${n}: ${d} within [${step / 2}, ${step}]`);
  }
});

test("retry option: documented default (no retry), validation at construction", () => {
  assert.deepEqual(resolveClientOptions({ host: "h" }).retry, { attempts: 0, minDelayMs: 250, maxDelayMs: 10_000 });
  assert.equal(CLIENT_DEFAULTS.retry, RETRY_DEFAULTS);
  assert.ok(Object.isFrozen(CLIENT_DEFAULTS.retry));
  assert.deepEqual(resolveClientOptions({ host: "h", retry: { attempts: 3 } }).retry, { attempts: 3, minDelayMs: 250, maxDelayMs: 10_000 });
  assert.deepEqual(resolveClientOptions({ host: "h", retry: { minDelayMs: 20_000 } }).retry, { attempts: 0, minDelayMs: 20_000, maxDelayMs: 20_000 });
  assert.throws(() => resolveClientOptions({ host: "h", retry: { attempts: -1 } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", retry: { attempts: 1.5 } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", retry: { minDelayMs: Number.NaN } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", retry: { minDelayMs: 500, maxDelayMs: 100 } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", retry: "yes" as never }), invalid);
});

/** A sleep on a clock the test owns: it records the delay and resolves at once. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waited: number[] } {
  const waited: number[] = [];
  return { waited, sleep: async (ms) => void waited.push(ms) };
}

test("runWithRetry: retries a transient failure with growing delays, reports each retry, resolves with the success", async () => {
  const { sleep, waited } = recordingSleep();
  const events: RetryEvent[] = [];
  const seen: unknown[] = [];
  const result = await runWithRetry(
    { retry: resolveRetryOptions({ attempts: 5, minDelayMs: 10, maxDelayMs: 1000 }), operation: "size /a", sleep, random: () => 0.5, onRetry: (e) => events.push(e) },
    async (n, previous) => {
      seen.push(previous);
      if (n < 3) throw reply(450);
      return "done";
    },
  );
  assert.equal(result, "done");
  assert.deepEqual(waited, [8, 15, 30]);
  assert.deepEqual(events.map((e) => [e.attempt, e.delay, (e.cause as FtpReplyError).replyCode, e.operation]), [
    [1, 8, 450, "size /a"], [2, 15, 450, "size /a"], [3, 30, 450, "size /a"],
  ]);
  assert.equal(seen[0], undefined);
  assert.equal((seen[1] as FtpReplyError).replyCode, 450);
});

test("runWithRetry: a permanent failure rejects at once; attempts: 0 tries once; the last failure after the last attempt", async () => {
  const { sleep, waited } = recordingSleep();
  let tries = 0;
  await assert.rejects(
    runWithRetry({ retry: resolveRetryOptions({ attempts: 5 }), operation: "x", sleep }, async () => {
      tries++;
      throw reply(530);
    }),
    (e: unknown) => e instanceof FtpReplyError && e.replyCode === 530,
  );
  assert.equal(tries, 1);
  tries = 0;
  await assert.rejects(runWithRetry({ retry: resolveRetryOptions({ attempts: 0 }), operation: "x", sleep }, async () => {
    tries++;
    throw reply(421);
  }));
  assert.equal(tries, 1);
  tries = 0;
  await assert.rejects(
    runWithRetry({ retry: resolveRetryOptions({ attempts: 2, minDelayMs: 1, maxDelayMs: 1 }), operation: "x", sleep }, async () => {
      tries++;
      throw reply([421, 425, 426][tries - 1]!);
    }),
    (e: unknown) => e instanceof FtpReplyError && e.replyCode === 426,
  );
  assert.equal(tries, 3);
  assert.equal(waited.length, 2, "two waits for two retries, none after the last");
});

test("runWithRetry: an aborted signal stops the loop, and a veto (the client closed) is final", async () => {
  const controller = new AbortController();
  let tries = 0;
  await assert.rejects(
    runWithRetry(
      { retry: resolveRetryOptions({ attempts: 5 }), operation: "x", signal: controller.signal, sleep: async () => {} },
      async () => {
        tries++;
        controller.abort();
        throw reply(421);
      },
    ),
    (e: unknown) => e instanceof FtpReplyError,
  );
  assert.equal(tries, 1);
  tries = 0;
  await assert.rejects(runWithRetry(
    { retry: resolveRetryOptions({ attempts: 5 }), operation: "x", sleep: async () => {}, mayRetry: () => false },
    async () => {
      tries++;
      throw reply(421);
    },
  ));
  assert.equal(tries, 1);
});
