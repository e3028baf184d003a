// One program can load both builds (an ESM app, a CommonJS dependency):
// two copies of every error class. `instanceof` must hold across them.
// Reads dist/ as published: run `npm run build` first (CI does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..", "..");
const esmEntry = join(root, "dist", "esm", "index.js");
const cjsEntry = join(root, "dist", "cjs", "index.js");
const built = existsSync(esmEntry) && existsSync(cjsEntry);

type Errors = typeof import("../../src/errors.js") & typeof import("../../src/storage/file-system.js");

test("instanceof FtpError and its subclasses holds between the ESM and the CommonJS build", { skip: !built && !process.env.CI ? "dist/ missing: run npm run build" : false }, async () => {
  assert.ok(built, "dist/esm and dist/cjs must exist (npm run build)");
  const esm = (await import(pathToFileURL(esmEntry).href)) as Errors;
  const cjs = createRequire(import.meta.url)(cjsEntry) as Errors;
  assert.notEqual(esm.FtpError, cjs.FtpError, "two copies of the class");

  const fromCjs = new cjs.FtpTimeoutError("late");
  const fromEsm = new esm.FtpReplyError({ code: 550, lines: ["no"], message: "no" });
  for (const [error, own, other] of [[fromCjs, cjs, esm], [fromEsm, esm, cjs]] as const) {
    assert.ok(error instanceof own.FtpError);
    assert.ok(error instanceof other.FtpError, "across builds");
    assert.ok(error instanceof Error);
  }
  assert.ok(fromCjs instanceof esm.FtpTimeoutError);
  assert.ok(fromEsm instanceof cjs.FtpReplyError);
  // The brand names the class: a sibling class does not match.
  assert.equal(fromCjs instanceof esm.FtpReplyError, false);
  assert.equal(fromEsm instanceof cjs.FtpTimeoutError, false);
  assert.equal(fromEsm instanceof cjs.FtpConnectionClosedError, false);
  // Plain values are not errors of either build.
  assert.equal(({ code: "ERR_FTP_TIMEOUT" } as unknown) instanceof esm.FtpError, false);
  assert.equal((null as unknown) instanceof cjs.FtpError, false);
  assert.equal(new Error("x") instanceof esm.FtpError, false);
  // The storage error a FileSystem throws is branded the same way.
  const storage = new cjs.FileSystemError("ENOENT");
  assert.ok(storage instanceof esm.FileSystemError, "FileSystemError across builds");
  assert.ok(new esm.FileSystemError("EIO") instanceof cjs.FileSystemError);
  assert.equal(new esm.FtpError("ERR_FTP_CLOSED", "x") instanceof cjs.FileSystemError, false);
  assert.equal(Object.assign(new Error("x"), { code: "ENOENT" }) instanceof esm.FileSystemError, false);
});
