/**
 * Builds the CLI that `bin/gaffer` starts: gaffer and its dependencies bundled into
 * `dist/gaffer/`, one chunk per command's needs, so a read command such as `gaffer status` loads
 * a few hundred kilobytes instead of some seven hundred modules. `npm ci` runs it (`prepare`).
 *
 * Every chunk sits two levels below the root, as the sources do, so paths gaffer finds from its
 * own location (`bin/`, `ui/dist/`, `package.json`) resolve the same from either. gaffer's own
 * modules do nothing when imported, so a module no command uses is left out even when an index
 * re-exports it; dependencies keep their own side effects.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "rolldown";

export async function buildCli(root: string, outDir = join(root, "dist", "gaffer")): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    cwd: root,
    input: {
      main: join(root, "src/cli/main.ts"),
      // What bin/gaffer.js loads first for `gaffer run`: small, so a standby process answers at once.
      "standby-client": join(root, "src/cli/standby/client.ts"),
      // Mounted alone into the sandbox: it imports only node builtins.
      forwarder: join(root, "src/sandbox/forwarder.ts"),
    },
    platform: "node",
    logLevel: "warn",
    plugins: [builtinsWithoutFacades],
    // The plugin replaces an import line with one line, so the maps' lines still hold: rolldown
    // cannot know that and warns once per chunk.
    onLog: (level, log, handler) => {
      if (log.code === "SOURCEMAP_BROKEN" && log.plugin === builtinsWithoutFacades.name) return;
      handler(level, log);
    },
    // What the build's caches are keyed by (a configuration its schemas checked: src/config/remembered.ts).
    transform: { define: { __GAFFER_BUILD__: JSON.stringify(buildDigest(root)) } },
    treeshake: { moduleSideEffects: (id) => (id.includes("/node_modules/") ? undefined : false) },
    output: {
      dir: outDir,
      format: "esm",
      entryFileNames: "[name].js",
      chunkFileNames: "[name]-[hash].js",
      sourcemap: true,
    },
  });
}

/** A digest of everything the bundle is made of: the sources and the locked dependencies. */
function buildDigest(root: string): string {
  const hash = createHash("sha256");
  const add = (file: string) =>
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update("\0");
  for (const file of readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" }).sort()) {
    if (file.endsWith(".ts")) add(join("src", file));
  }
  add("package-lock.json");
  return hash.digest("hex").slice(0, 32);
}

/**
 * Node's built-in modules, taken as `process.getBuiltinModule()` gives them instead of imported: an
 * `import` builds each module's ES facade, which reads every export, and some exports load more
 * on first read (`fs.ReadStream` loads fs's streams, ~3 ms; `node:http` loads undici). What a chunk
 * imports from a built-in it destructures from the module object instead, at the top of the chunk
 * where the import stood.
 */
const builtinsWithoutFacades: Plugin = {
  name: "builtins-without-facades",
  renderChunk(code) {
    return code.replace(BUILTIN_IMPORT, (_, what: string, module: string) => {
      const names = what.startsWith("{")
        ? `{ ${what
            .slice(1, -1)
            .split(",")
            .map((name) => name.trim().replace(/ as /, ": "))
            .filter(Boolean)
            .join(", ")} }`
        : what.replace(/^\* as /, "");
      return `const ${names} = process.getBuiltinModule("${module}");`;
    });
  },
};

/** `import { a, b as c } from "node:x";`, `import * as x from "node:x";` or `import x from "node:x";`, one a line. */
const BUILTIN_IMPORT = /^import (\{[^}]*\}|\* as [\w$]+|[\w$]+) from "(node:[^"]+)";$/gm;

if (import.meta.main) {
  const started = performance.now();
  await buildCli(join(import.meta.dirname, ".."));
  process.stdout.write(`built dist/gaffer/ in ${Math.round(performance.now() - started)} ms\n`);
}
