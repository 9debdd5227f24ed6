// Checks how the modules under src/ depend on each other, type imports included, and fails on:
//  - a cycle: dependencies must flow one way;
//  - an import past another folder's index.ts: a folder's public surface is its index;
//  - a folder importing one above it in AGENTS.md's layer list: arrows point down that list.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const repo = resolve(import.meta.dirname, "..");
const root = join(repo, "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The top folder of a file under src/ ("engine"), or undefined for a file at src/'s root. */
function folderOf(file: string): string | undefined {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/** The layer list in AGENTS.md, top first: `| \`src/<folder>/\` | … |` rows in order. */
function layers(): string[] {
  const text = readFileSync(join(repo, "AGENTS.md"), "utf8");
  return [...text.matchAll(/^\| `src\/([a-z-]+)\/` \|/gm)].map((match) => match[1] as string);
}

const graph = new Map<string, string[]>();
for (const file of sources(root)) {
  const text = readFileSync(file, "utf8");
  const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gm)]
    .map((match) => resolve(dirname(file), match[1] as string))
    // Source text that only looks like an import (a sample project's files in a string) names no module here.
    .filter((target) => target.startsWith(root + sep) && existsSync(target));
  graph.set(file, imports);
}

const problems: string[] = [];
const order = layers();
for (const [file, imports] of graph) {
  const from = folderOf(file);
  for (const target of imports) {
    const to = folderOf(target);
    if (to === undefined || to === from) continue;
    const shown = `${relative(root, file)} → ${relative(root, target)}`;
    if (target !== join(root, to, "index.ts")) problems.push(`past ${to}/index.ts: ${shown}`);
    if (from === undefined) continue;
    const [up, down] = [order.indexOf(from), order.indexOf(to)];
    if (up === -1 || down === -1) problems.push(`a folder missing from AGENTS.md's layer list: ${shown}`);
    else if (down < up) problems.push(`upward (${to} is above ${from} in AGENTS.md): ${shown}`);
  }
}

const state = new Map<string, "visiting" | "done">();
function visit(file: string, trail: string[]): void {
  if (state.get(file) === "done") return;
  if (state.get(file) === "visiting") {
    const cycle = [...trail.slice(trail.indexOf(file)), file];
    problems.push(`cycle: ${cycle.map((f) => relative(root, f)).join(" → ")}`);
    return;
  }
  state.set(file, "visiting");
  for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
  state.set(file, "done");
}
for (const file of graph.keys()) visit(file, []);

for (const problem of problems) console.error(`import ${problem}`);
process.exit(problems.length ? 1 : 0);
