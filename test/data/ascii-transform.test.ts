import { test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import fc from "fast-check";
import { createCrlfToLf, createLfToCrlf } from "../../src/data/ascii-transform.js";

async function run(factory: () => NodeJS.ReadWriteStream, chunks: string[]): Promise<string> {
  const source = Readable.from(chunks.map((c) => Buffer.from(c, "latin1")), { objectMode: false });
  return text(source.pipe(factory()) as unknown as Readable);
}

function splitAt(s: string, cuts: number[]): string[] {
  const out: string[] = [];
  let last = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(s.slice(last, cut));
    last = cut;
  }
  out.push(s.slice(last));
  return out;
}

// Expected values written by hand.
const toLocal: Array<[string, string]> = [
  ["", ""],
  ["abc", "abc"],
  ["a\r\nb\r\n", "a\nb\n"],
  ["\r\n\r\n", "\n\n"],
  ["a\rb", "a\rb"],
  ["a\r\r\nb", "a\r\nb"],
  ["end\r", "end\r"],
  ["\r", "\r"],
  ["x\ny", "x\ny"],
];
const toNetwork: Array<[string, string]> = [
  ["", ""],
  ["abc", "abc"],
  ["a\nb\n", "a\r\nb\r\n"],
  ["\n\n", "\r\n\r\n"],
  ["a\r\nb", "a\r\nb"],
  ["a\rb", "a\rb"],
  ["\r\n", "\r\n"],
  ["\n", "\r\n"],
];

test("CRLF → LF at every split offset", async () => {
  for (const [input, expected] of toLocal) {
    assert.equal(await run(createCrlfToLf, [input]), expected, JSON.stringify(input));
    for (let i = 0; i <= input.length; i++) {
      assert.equal(await run(createCrlfToLf, splitAt(input, [i])), expected, `${JSON.stringify(input)} split at ${i}`);
    }
  }
});

test("LF → CRLF at every split offset", async () => {
  for (const [input, expected] of toNetwork) {
    assert.equal(await run(createLfToCrlf, [input]), expected, JSON.stringify(input));
    for (let i = 0; i <= input.length; i++) {
      assert.equal(await run(createLfToCrlf, splitAt(input, [i])), expected, `${JSON.stringify(input)} split at ${i}`);
    }
  }
});

test("random chunkings agree with a reference conversion", async () => {
  const alphabet = fc.constantFrom("a", "\r", "\n", "z");
  await fc.assert(
    fc.asyncProperty(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join("")), fc.array(fc.nat(40), { maxLength: 6 }), async (s, cuts) => {
      const parts = splitAt(s, cuts.map((c) => Math.min(c, s.length)));
      assert.equal(await run(createCrlfToLf, parts), s.replaceAll("\r\n", "\n"));
      assert.equal(await run(createLfToCrlf, parts), s.replace(/(?<!\r)\n/g, "\r\n"));
    }),
    { numRuns: 300 },
  );
});

test("a local text survives the round trip through the network form", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom("a", "\n", "b"), { maxLength: 30 }).map((a) => a.join("")), async (s) => {
      const network = await run(createLfToCrlf, [s]);
      assert.equal(await run(createCrlfToLf, [network]), s);
    }),
    { numRuns: 200 },
  );
});

test("a chunk that needs no change is passed on without a copy", async () => {
  const chunk = Buffer.from("no line ends here");
  for (const factory of [createCrlfToLf, createLfToCrlf]) {
    const t = factory();
    const seen: Buffer[] = [];
    t.on("data", (b: Buffer) => seen.push(b));
    t.end(chunk);
    await new Promise((r) => t.on("end", r));
    assert.equal(seen.length, 1);
    assert.equal(seen[0], chunk);
  }
});
