// The layer picture of DESIGN.md, checked on the source: no runtime import
// cycle, and no lower layer importing a higher one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const src = resolve(import.meta.dirname, "..", "..", "src");

/** file (relative to src) → the files it imports at run time (type-only imports left out). */
function runtimeImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const name of readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(src, name), "utf8");
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)([^;]*?)\s+from\s+"(\.[^"]+)"/gms)) {
      const names = m[1]!.trim();
      const braced = /^\{([^}]*)\}$/s.exec(names);
      if (braced && braced[1]!.split(",").map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith("type "))) continue;
      deps.push(relative(src, resolve(dirname(join(src, name)), m[2]!.replace(/\.js$/, ".ts"))));
    }
    graph.set(name, deps);
  }
  return graph;
}

test("no runtime import cycle in src/", () => {
  const graph = runtimeImports();
  const done = new Set<string>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    const at = path.indexOf(file);
    if (at !== -1) return void cycles.push([...path.slice(at), file].join(" → "));
    if (done.has(file)) return;
    for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test("lower layers import no higher one (protocol → control → data → client/server)", () => {
  const rank: Record<string, number> = { "errors.ts": 0, protocol: 1, io: 2, tls: 2, control: 3, data: 3, storage: 4, client: 5, server: 5, fleet: 6 };
  const layer = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : file);
  const wrong: string[] = [];
  for (const [file, deps] of runtimeImports()) {
    const own = rank[layer(file)];
    if (own === undefined) continue;
    for (const dep of deps) {
      const theirs = rank[layer(dep)];
      if (theirs !== undefined && theirs > own) wrong.push(`${file} → ${dep}`);
      if (layer(file) === "client" && layer(dep) === "server") wrong.push(`${file} → ${dep}`);
      if ((layer(file) === "server" || layer(file) === "fleet") && layer(dep) === "client") wrong.push(`${file} → ${dep}`);
    }
  }
  assert.deepEqual(wrong, []);
});
