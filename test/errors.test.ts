import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { FtpError, FtpReplyError, FtpTimeoutError } from "../src/errors.js";

test("instanceof follows the class chain: subclass, parent, sibling", () => {
  const error = new FtpTimeoutError("late");
  assert.ok(error instanceof FtpTimeoutError);
  assert.ok(error instanceof FtpError);
  assert.ok(error instanceof Error);
  assert.equal(error instanceof FtpReplyError, false);
  assert.equal(new FtpError("ERR_FTP_CLOSED", "x") instanceof FtpTimeoutError, false);
});

test("a program's own subclass still works with instanceof both ways", () => {
  class MyError extends FtpTimeoutError {}
  const mine = new MyError("mine");
  assert.ok(mine instanceof MyError);
  assert.ok(mine instanceof FtpTimeoutError);
  assert.ok(mine instanceof FtpError);
  assert.equal(new FtpTimeoutError("plain") instanceof MyError, false);
});

test("the brand is hidden: not enumerable, not in inspect output", () => {
  const error = new FtpReplyError({ code: 550, lines: ["no"], message: "no" });
  assert.equal(Object.getOwnPropertySymbols(error).some((s) => Object.getOwnPropertyDescriptor(error, s)?.enumerable), false);
  assert.doesNotMatch(inspect(error), /ftpwire\.error/);
});

test("every error class is branded with Symbol.for(\"ftpwire.error.<Name>\") (a new class without brand() fails here)", async () => {
  const errors: Record<string, unknown> = await import("../src/errors.js");
  const classes = Object.entries(errors).filter(([, value]) => typeof value === "function" && (value === FtpError || (value as { prototype: unknown }).prototype instanceof Error));
  assert.ok(classes.length >= 10, `found ${classes.length} classes`);
  for (const [name, cls] of classes) {
    // What an instance made by another copy of ftpwire (the other build) looks like.
    const foreign = { [Symbol.for(`ftpwire.error.${name}`)]: true };
    assert.ok(foreign instanceof (cls as new () => unknown), `${name} is not branded`);
  }
});

test("FileSystemError: instanceof by brand, a program's own subclass by prototype", async () => {
  const { FileSystemError } = await import("../src/storage/file-system.js");
  class QuotaError extends FileSystemError {}
  const quota = new QuotaError("EDQUOT");
  assert.ok(quota instanceof QuotaError);
  assert.ok(quota instanceof FileSystemError);
  assert.ok(quota instanceof Error);
  assert.equal(new FileSystemError("EIO") instanceof QuotaError, false);
  assert.equal(Object.assign(new Error("x"), { code: "EIO" }) instanceof FileSystemError, false);
});
