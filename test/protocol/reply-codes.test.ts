import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  REPLY_TEXTS,
  replyText,
  replyKind,
  replyGroup,
  isPreliminary,
  isCompletion,
  isIntermediate,
  isTransient,
  isPermanent,
  isProtected,
  isFailure,
  isUnknownCommand,
  isCommandNotSupported,
  isNetworkProtocolNotSupported,
  needsTls,
  isServiceClosing,
} from "../../src/protocol/reply-codes.js";
import { FtpInvalidArgumentError } from "../../src/errors.js";

// Written out from RFC 959 §4.2.1/§4.2.2 and RFC 2228/2428.
const RFC959 = [
  110, 120, 125, 150, 200, 202, 211, 212, 213, 214, 215, 220, 221, 225, 226, 227, 230, 250, 257, 331, 332, 350, 421, 425,
  426, 450, 451, 452, 500, 501, 502, 503, 504, 530, 532, 550, 551, 552, 553,
];
const EXTENSIONS = [228, 229, 232, 234, 334, 335, 336, 431, 522, 533, 534, 535, 536, 631, 632, 633];

describe("REPLY_TEXTS", () => {
  test("has every RFC 959 code and the extension codes, each with a non-empty text", () => {
    for (const code of [...RFC959, ...EXTENSIONS]) {
      const text = REPLY_TEXTS.get(code);
      assert.equal(typeof text, "string", `code ${code}`);
      assert.ok((text ?? "").length > 0, `code ${code}`);
      assert.equal(replyText(code), text);
    }
    assert.equal(REPLY_TEXTS.size, RFC959.length + EXTENSIONS.length);
  });

  test("no default text contains CR, LF or NUL", () => {
    for (const text of REPLY_TEXTS.values()) assert.ok(!/[\r\n\0]/.test(text));
  });

  test("some texts, by hand", () => {
    assert.equal(replyText(200), "Command okay.");
    assert.equal(replyText(331), "User name okay, need password.");
    assert.equal(replyText(530), "Not logged in.");
    assert.equal(replyText(229), "Entering Extended Passive Mode.");
  });

  test("a code outside the table gets a generic text by first digit", () => {
    assert.equal(replyText(299), "Action completed.");
    assert.equal(replyText(599), "Action not taken.");
    assert.equal(replyText(499), "Action not taken; try again later.");
  });

  test("a non-code throws", () => {
    for (const code of [0, 99, 700, 1000, 200.5, -200]) {
      assert.throws(() => replyText(code), FtpInvalidArgumentError);
    }
  });
});

describe("classification", () => {
  const kinds: Array<[number, string]> = [
    [150, "preliminary"],
    [226, "completion"],
    [331, "intermediate"],
    [421, "transient"],
    [550, "permanent"],
    [631, "protected"],
  ];
  for (const [code, kind] of kinds) {
    test(`replyKind(${code}) is ${kind}`, () => assert.equal(replyKind(code), kind));
  }

  const groups: Array<[number, string]> = [
    [500, "syntax"],
    [211, "information"],
    [227, "connections"],
    [530, "authentication"],
    [631, "authentication"],
    [241, "unspecified"],
    [550, "file-system"],
    [260, "unspecified"],
    [299, "unspecified"],
  ];
  for (const [code, group] of groups) {
    test(`replyGroup(${code}) is ${group}`, () => assert.equal(replyGroup(code), group));
  }

  test("replyKind and replyGroup throw for non-codes", () => {
    assert.throws(() => replyKind(99), FtpInvalidArgumentError);
    assert.throws(() => replyKind(700), FtpInvalidArgumentError);
    assert.throws(() => replyGroup(0), FtpInvalidArgumentError);
  });

  test("predicates", () => {
    const table: Array<[number, boolean, boolean, boolean, boolean, boolean, boolean, boolean]> = [
      // code, prelim, compl, interm, trans, perm, protected, failure
      [125, true, false, false, false, false, false, false],
      [200, false, true, false, false, false, false, false],
      [350, false, false, true, false, false, false, false],
      [450, false, false, false, true, false, false, true],
      [553, false, false, false, false, true, false, true],
      [633, false, false, false, false, false, true, false],
      [99, false, false, false, false, false, false, false],
    ];
    for (const [code, p, c, i, t, pe, pr, f] of table) {
      assert.deepEqual(
        [isPreliminary(code), isCompletion(code), isIntermediate(code), isTransient(code), isPermanent(code), isProtected(code), isFailure(code)],
        [p, c, i, t, pe, pr, f],
        `code ${code}`,
      );
    }
  });

  test("kind agrees with the predicates for every table code", () => {
    for (const code of REPLY_TEXTS.keys()) {
      const kind = replyKind(code);
      assert.equal(isPreliminary(code), kind === "preliminary");
      assert.equal(isCompletion(code), kind === "completion");
      assert.equal(isIntermediate(code), kind === "intermediate");
      assert.equal(isTransient(code), kind === "transient");
      assert.equal(isPermanent(code), kind === "permanent");
      assert.equal(isFailure(code), kind === "transient" || kind === "permanent");
    }
  });
});

describe("what a reply means for the next step", () => {
  // Each set written out from the RFC texts cited in reply-codes.ts.
  const cases: Array<[string, (code: number) => boolean, readonly number[]]> = [
    ["isUnknownCommand", isUnknownCommand, [500, 502]],
    ["isCommandNotSupported", isCommandNotSupported, [500, 501, 502, 504]],
    ["isNetworkProtocolNotSupported", isNetworkProtocolNotSupported, [522]],
    ["needsTls", needsTls, [521, 533, 534]],
    ["isServiceClosing", isServiceClosing, [421]],
  ];
  for (const [name, predicate, codes] of cases) {
    test(`${name} is true for exactly ${codes.join(", ")}`, () => {
      const yes: number[] = [];
      for (let code = 100; code <= 699; code++) if (predicate(code)) yes.push(code);
      assert.deepEqual(yes, [...codes]);
    });
  }
});
