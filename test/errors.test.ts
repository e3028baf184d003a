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
