// The CLI is built only on the public API (DESIGN.md "Layers that come
// next"), and the library never loads it: `import "ftpwire"` stays free of
// the CLI and of anything it might need.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const src = resolve(import.meta.dirname, "..", "..", "src");
const cliDir = join(src, "cli");

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\s)(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/gm)].map((m) => m[1] ?? m[2]!);
}

test("src/cli imports only node: modules, its own files and ../index.js", () => {
  const wrong: string[] = [];
  for (const name of readdirSync(cliDir, { recursive: true }).map(String).filter((f) => f.endsWith(".ts"))) {
    const depth = name.split("/").length - 1;
    const publicApi = `${"../".repeat(depth + 1)}index.js`;
    for (const spec of imports(join(cliDir, name))) {
      const ok = spec.startsWith("node:") || spec === publicApi || (spec.startsWith(".") && !spec.startsWith(`${"../".repeat(depth + 1)}`));
      if (!ok) wrong.push(`${name} → ${spec}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("no library file imports src/cli", () => {
  const wrong: string[] = [];
  for (const name of readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith(".ts") && !f.startsWith("cli/"))) {
    for (const spec of imports(join(src, name))) if (/(^|\/)cli\//.test(spec)) wrong.push(`${name} → ${spec}`);
  }
  assert.deepEqual(wrong, []);
});
