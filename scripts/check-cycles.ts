// Fails when modules under src/ import each other in a cycle, type imports included: dependencies
// must flow one way.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const graph = new Map<string, string[]>();
for (const file of sources(root)) {
  const text = readFileSync(file, "utf8");
  const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gm)].map((match) =>
    resolve(dirname(file), match[1] as string),
  );
  graph.set(file, imports);
}

const state = new Map<string, "visiting" | "done">();
const cycles: string[][] = [];
function visit(file: string, trail: string[]): void {
  if (state.get(file) === "done") return;
  if (state.get(file) === "visiting") {
    cycles.push([...trail.slice(trail.indexOf(file)), file]);
    return;
  }
  state.set(file, "visiting");
  for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
  state.set(file, "done");
}
for (const file of graph.keys()) visit(file, []);

for (const cycle of cycles) console.error(`import cycle: ${cycle.map((f) => relative(root, f)).join(" → ")}`);
process.exit(cycles.length ? 1 : 0);
