// FileSystemErrorCode names every errno the server answers with its own
// reply, so a FileSystem implementation can throw each of them typed.
// Issue 12: EBUSY, ENAMETOOLONG, ELOOP and EFBIG were mapped by the reply
// table but missing from the type.
import { test } from "node:test";
import assert from "node:assert/strict";
import { constants } from "node:os";
import { FILE_SYSTEM_ERROR_CODES, FileSystemError, type FileSystemErrorCode } from "../../src/storage/file-system.js";
import { isKnownStorageError, storageErrorReply } from "../../src/storage/error-replies.js";

test("every errno the reply table answers is a FileSystemErrorCode", () => {
  const answered = Object.keys(constants.errno).filter((name) => isKnownStorageError({ code: name }));
  assert.ok(answered.length >= 15, `answered: ${answered.join(", ")}`);
  const missing = answered.filter((name) => !(FILE_SYSTEM_ERROR_CODES as readonly string[]).includes(name));
  assert.deepEqual(missing, []);
});

test("every FileSystemErrorCode but EIO has its own reply; EIO is the 451 of any unknown failure", () => {
  for (const code of FILE_SYSTEM_ERROR_CODES) {
    const reply = storageErrorReply(new FileSystemError(code));
    if (code === "EIO") assert.equal(reply.code, 451);
    else assert.ok(isKnownStorageError(new FileSystemError(code)), code);
  }
});

test("the codes issue 12 found missing type-check and map to their replies", () => {
  const cases: Array<[FileSystemErrorCode, number]> = [["EBUSY", 450], ["ENAMETOOLONG", 553], ["ELOOP", 550], ["EFBIG", 552]];
  for (const [code, reply] of cases) assert.equal(storageErrorReply(new FileSystemError(code)).code, reply, code);
});
