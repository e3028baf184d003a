// Type-level tests of the error classes and reply predicates (see client.types.ts).
import { expectTypeOf } from "expect-type";
import {
  FtpError,
  FtpListingTooLargeError,
  FtpReplyError,
  FtpTimeoutError,
  isCommandNotSupported,
  needsTls,
  type ErrorReply,
  type FtpErrorCode,
} from "../../src/index.js";

declare const error: unknown;
if (error instanceof FtpReplyError) {
  // A reply error always has its reply and number.
  expectTypeOf(error.replyCode).toEqualTypeOf<number>();
  expectTypeOf(error.reply).toEqualTypeOf<ErrorReply>();
}
if (error instanceof FtpError) {
  expectTypeOf(error.code).toEqualTypeOf<FtpErrorCode>();
  expectTypeOf(error.replyCode).toEqualTypeOf<number | undefined>();
}
if (error instanceof FtpListingTooLargeError) expectTypeOf(error.limit).toBeNumber();
expectTypeOf<"ERR_FTP_LISTING_TOO_LARGE">().toExtend<FtpErrorCode>();
// @ts-expect-error not a code
expectTypeOf<"ERR_FTP_NOPE">().toExtend<FtpErrorCode>();
expectTypeOf(new FtpTimeoutError("x")).toExtend<FtpError>();
expectTypeOf(isCommandNotSupported).toEqualTypeOf<(code: number) => boolean>();
expectTypeOf(needsTls).parameters.toEqualTypeOf<[code: number]>();
