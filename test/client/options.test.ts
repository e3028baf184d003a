// URL parsing and option validation: bad input fails at construction, before any I/O.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { CLIENT_DEFAULTS, parseFtpUrl, resolveClientConfig, resolveClientOptions } from "../../src/client/options.js";
import { ClientPool } from "../../src/client/client-pool.js";
import { Client } from "../../src/client/client.js";
import { FtpError } from "../../src/errors.js";

const invalid = (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_INVALID_OPTION";

test("ftp:// URL with percent-encoded credentials, port and path", () => {
  assert.deepEqual(parseFtpUrl("ftp://b%C3%B8b:p%40ss%3Aw%2Fd@files.example.com:2121/in%20box/"), {
    host: "files.example.com",
    port: 2121,
    user: "bøb",
    password: "p@ss:w/d",
    path: "/in box/",
  });
  assert.deepEqual(parseFtpUrl("ftp://[::1]/"), { host: "::1" });
  assert.deepEqual(parseFtpUrl("ftp://host"), { host: "host" });
});

test("defaults", () => {
  const { options: o, credentials } = resolveClientConfig("ftp://host");
  assert.equal(o.port, 21);
  assert.equal(o.user, "anonymous");
  assert.equal(credentials.password, "anonymous@");
  assert.deepEqual(o.timeouts, { connect: 10_000, control: 30_000, data: 30_000, reply: 60_000 });
  assert.deepEqual(o.limits, { maxReplyLineLength: 8192, maxReplyLines: 10_000, maxReplyBytes: 1024 * 1024, maxListEntries: 200_000 });
  assert.equal(o.mode, "passive");
  assert.equal(o.encoding, "utf8");
  assert.equal(o.usePassiveReplyAddress, false);
  assert.equal(o.keepAlive, 0);
  assert.equal(o.createSocket, undefined);
});

test("CLIENT_DEFAULTS are what an empty option set resolves to, and frozen all the way down", () => {
  const o = resolveClientOptions({ host: "h" });
  assert.deepEqual(o.timeouts, { ...CLIENT_DEFAULTS.timeouts });
  assert.deepEqual(o.limits, { ...CLIENT_DEFAULTS.limits });
  assert.equal(o.port, CLIENT_DEFAULTS.port);
  assert.ok(Object.isFrozen(CLIENT_DEFAULTS) && Object.isFrozen(CLIENT_DEFAULTS.timeouts) && Object.isFrozen(CLIENT_DEFAULTS.limits));
  assert.throws(() => {
    (CLIENT_DEFAULTS.timeouts as { control: number }).control = 1;
  }, TypeError);
  assert.equal(resolveClientOptions({ host: "h" }).timeouts.control, 30_000);
});

test("overrides win over the URL", () => {
  const { options: o, credentials } = resolveClientConfig("ftp://a:b@host:2121", { user: "c", mode: "active" });
  assert.equal(o.user, "c");
  assert.equal(credentials.password, "b");
  assert.equal(o.mode, "active");
});

test("the password and account are neither in client.options nor in util.inspect(client) or inspect(pool)", () => {
  const client = new Client("ftp://alice:hunter2@host", { account: "acct-s3cret" });
  assert.equal("password" in client.options, false);
  assert.equal("account" in client.options, false);
  assert.doesNotMatch(JSON.stringify(client.options), /hunter2|acct-s3cret/);
  assert.doesNotMatch(inspect(client, { depth: 10, showHidden: true }), /hunter2|acct-s3cret/);
  const pool = new ClientPool("ftp://alice:hunter2@host", { account: "acct-s3cret" });
  assert.doesNotMatch(inspect(pool, { depth: 10, showHidden: true }), /hunter2|acct-s3cret/);
});

test("renamed and new options: usePassiveReplyAddress, timeouts.reply, limits, createSocket", () => {
  assert.equal(resolveClientOptions({ host: "h", usePassiveReplyAddress: true }).usePassiveReplyAddress, true);
  // The old name would silently do nothing: refused with a pointer to the new one.
  assert.throws(() => resolveClientOptions({ host: "h", allowSeparateTransferHost: true } as never), (e: unknown) => invalid(e) && /usePassiveReplyAddress/.test((e as Error).message));
  assert.equal(resolveClientOptions({ host: "h", timeouts: { reply: 0 } }).timeouts.reply, 0);
  assert.throws(() => resolveClientOptions({ host: "h", timeouts: { reply: -5 } }), invalid);
  const limits = resolveClientOptions({ host: "h", limits: { maxReplyLines: 5, maxListEntries: Infinity } }).limits;
  assert.equal(limits.maxReplyLines, 5);
  assert.equal(limits.maxListEntries, Infinity);
  assert.equal(limits.maxReplyBytes, 1024 * 1024);
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => resolveClientOptions({ host: "h", limits: { maxReplyBytes: bad } }), invalid, String(bad));
  assert.throws(() => resolveClientOptions({ host: "h", limits: { maxReplyBytes: Infinity } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", createSocket: "socks://proxy" as never }), invalid);
});

test("invalid options are refused with ERR_FTP_INVALID_OPTION", () => {
  assert.throws(() => resolveClientOptions("http://host"), invalid);
  assert.throws(() => resolveClientOptions("not a url"), invalid);
  assert.throws(() => resolveClientOptions({ host: "" }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", port: 70000 }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", port: 1.5 }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", timeouts: { control: -1 } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", mode: "sideways" as "active" }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", active: { portRange: [5000, 4000] } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", family: 5 as 4 }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", encoding: "ascii" as "utf8" }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", user: "a\r\nDELE x" }), invalid);
  assert.throws(() => new Client({ host: "h", keepAlive: Number.NaN }), invalid);
});

test("ftps:// is implicit FTPS on port 990, ftpes:// explicit on 21; secure: true means explicit", () => {
  assert.deepEqual(parseFtpUrl("ftps://u:p@host/"), { host: "host", port: 990, user: "u", password: "p", secure: "implicit" });
  assert.deepEqual(parseFtpUrl("ftpes://host"), { host: "host", secure: "explicit" });
  const implicit = resolveClientOptions("ftps://host");
  assert.equal(implicit.secure, "implicit");
  assert.equal(implicit.port, 990);
  assert.equal(resolveClientOptions({ host: "h", secure: "implicit" }).port, 990);
  assert.equal(resolveClientOptions("ftps://host:2990").port, 2990);
  const explicit = resolveClientOptions("ftpes://host", { tls: { rejectUnauthorized: false, minVersion: "TLSv1.3" } });
  assert.equal(explicit.secure, "explicit");
  assert.equal(explicit.port, 21);
  assert.deepEqual(explicit.tls, { rejectUnauthorized: false, minVersion: "TLSv1.3" });
  assert.equal(explicit.dataProtection, "private");
  assert.equal(resolveClientOptions({ host: "h", secure: true }).secure, "explicit");
  assert.equal(resolveClientOptions({ host: "h", secure: true, dataProtection: "clear" }).dataProtection, "clear");
  const plain = resolveClientOptions({ host: "h" });
  assert.equal(plain.secure, false);
  assert.equal(plain.tls, undefined);
  // Resolved options are valid input again (ClientPool, uploadDir reuse them).
  assert.deepEqual(resolveClientOptions(explicit), explicit);
});

test("bad FTPS options are refused; TLS options without secure never fall back to clear text", () => {
  assert.throws(() => resolveClientOptions({ host: "h", secure: "starttls" as "explicit" }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", tls: { ca: "x" } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", secure: false, tls: { rejectUnauthorized: false } }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", secure: true, tls: "ca.pem" as unknown as object }), invalid);
  assert.throws(() => resolveClientOptions({ host: "h", secure: true, dataProtection: "safe" as "clear" }), invalid);
  assert.throws(() => resolveClientOptions("sftp://host"), invalid);
});

test("a URL with a password never shows it in the error", () => {
  try {
    resolveClientOptions("ftp://user:hunter2@@@ bad");
    assert.fail("should throw");
  } catch (error) {
    assert.ok(invalid(error));
    assert.ok(!String((error as Error).message).includes("hunter2"));
  }
});

test("calls before connect() reject with ERR_FTP_CLOSED", async () => {
  const client = new Client({ host: "127.0.0.1" });
  await assert.rejects(client.pwd(), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_CLOSED");
});
