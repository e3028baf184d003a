// AsciiLengthCounter: TYPE A sizes and restart points in network octets (RFC 3659 §4, §5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import fc from "fast-check";
import { AsciiLengthCounter } from "../../src/data/ascii-length.js";
import { createLfToCrlf } from "../../src/data/ascii-transform.js";

function latin1(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

function counterOver(stored: string, cuts: number[], target?: number): AsciiLengthCounter {
  const counter = new AsciiLengthCounter(target);
  let last = 0;
  for (const cut of [...cuts, stored.length].sort((a, b) => a - b)) {
    if (counter.push(latin1(stored.slice(last, cut)))) break;
    last = cut;
  }
  return counter;
}

async function networkFormFrom(stored: string, fileOffset: number, afterCR: boolean): Promise<string> {
  const source = Readable.from([latin1(stored.slice(fileOffset))]);
  return text(source.pipe(createLfToCrlf({ afterCR })) as unknown as Readable);
}

// Network forms written by hand.
const FIXTURES: Array<[string, string]> = [
  ["", ""],
  ["line\nline\nline\n", "line\r\nline\r\nline\r\n"],
  ["a\r\nb\n", "a\r\nb\r\n"],
  ["\n\n", "\r\n\r\n"],
  ["end\r", "end\r"],
  ["a\rb\n", "a\rb\r\n"],
];

test("the whole-file count is the network length, at every split", () => {
  for (const [stored, network] of FIXTURES) {
    for (let cut = 0; cut <= stored.length; cut++) {
      assert.equal(counterOver(stored, [cut]).networkOctets, network.length, JSON.stringify([stored, cut]));
    }
  }
});

test("issue 12's file: REST 6 in TYPE A is stored byte 5 and resumes with the second line", async () => {
  const stored = "line\nline\nline\n";
  const point = counterOver(stored, [], 6).restartPoint;
  assert.deepEqual(point, { fileOffset: 5, afterCR: false, insideLineEnding: false });
  assert.equal(await networkFormFrom(stored, 5, false), "line\r\nline\r\n");
});

test("a marker between an inserted CR and its LF resumes with the bare LF", async () => {
  const point = counterOver("ab\ncd", [], 3).restartPoint;
  assert.deepEqual(point, { fileOffset: 2, afterCR: true, insideLineEnding: true });
  assert.equal(await networkFormFrom("ab\ncd", 2, true), "\ncd");
});

test("past the end there is no restart point", () => {
  assert.equal(counterOver("ab\n", [], 5).restartPoint, undefined);
  assert.deepEqual(counterOver("ab\n", [], 4).restartPoint, { fileOffset: 3, afterCR: false, insideLineEnding: false });
});

test("property: resuming at any marker, any split, sends exactly the rest of the network form", async () => {
  const alphabet = fc.constantFrom("a", "\r", "\n", "z");
  await fc.assert(
    fc.asyncProperty(
      fc.array(alphabet, { maxLength: 30 }).map((a) => a.join("")),
      fc.array(fc.nat(30), { maxLength: 4 }),
      fc.nat(60),
      async (stored, cuts, rawMarker) => {
        const network = await networkFormFrom(stored, 0, false);
        const marker = rawMarker % (network.length + 1);
        const point = counterOver(stored, cuts.map((c) => c % (stored.length + 1)), marker).restartPoint;
        assert.ok(point, "a marker inside the file has a restart point");
        assert.equal(await networkFormFrom(stored, point.fileOffset, point.afterCR), network.slice(marker));
      },
    ),
    { numRuns: 300 },
  );
});
