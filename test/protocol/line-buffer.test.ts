import { test } from "node:test";
import assert from "node:assert/strict";
import { LineBuffer } from "../../src/protocol/line-buffer.js";

const b = (text: string) => Buffer.from(text, "latin1");

test("holds a split line up to its limit and decodes it without the CR of CRLF", () => {
  const line = new LineBuffer(5);
  assert.equal(line.empty, true);
  assert.equal(line.append(b("ab"), 0, 2), true);
  assert.equal(line.append(b("xcd\r"), 1, 4), true);
  assert.equal(line.empty, false);
  assert.equal(line.text("latin1"), "abcd");
  assert.equal(line.rawLength, 5);
  line.clear();
  assert.equal(line.empty, true);
  assert.equal(line.length, 0);
});

test("a CR as byte max + 1 is held, not stored: the line is exactly at the limit", () => {
  const line = new LineBuffer(3);
  assert.equal(line.append(b("abc\r"), 0, 4), true);
  assert.equal(line.length, 3);
  assert.equal(line.heldCR, true);
  assert.equal(line.rawLength, 4);
  assert.equal(line.text("latin1"), "abc");
  // Anything after the held CR makes the line too long.
  assert.equal(line.append(b("d"), 0, 1), false);
});

test("refuses to grow past the limit and copies nothing then", () => {
  const line = new LineBuffer(4);
  assert.equal(line.append(b("abc"), 0, 3), true);
  assert.equal(line.append(b("de"), 0, 2), false);
  assert.equal(line.length, 3);
  assert.equal(line.text("latin1"), "abc");
});

test("the held copy is its own: changing the chunk afterwards changes nothing", () => {
  const line = new LineBuffer(16);
  const chunk = b("hello");
  line.append(chunk, 0, 5);
  chunk.fill(0x78);
  assert.equal(line.text("utf8"), "hello");
});
