import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { it } from "node:test";
import { build } from "vite";
import { UI_DIST } from "../../src/web/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const UI = resolve(import.meta.dirname, "..", "..", "ui");

function files(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), "utf8")]));
}

it("the shipped front end (ui/dist) is what `npm run build:ui` makes of ui/src", async (t) => {
  const out = tempDir(t, "gaffer-ui-");
  await build({
    configFile: join(UI, "vite.config.ts"),
    logLevel: "silent",
    build: { outDir: out, emptyOutDir: true },
  });
  const built = files(out);
  const shipped = files(UI_DIST);
  assert.deepEqual(
    [...shipped.keys()].sort(),
    [...built.keys()].sort(),
    "run `npm run build:ui` and commit ui/dist",
  );
  for (const [name, text] of built)
    assert.equal(shipped.get(name), text, `ui/dist/${name} is stale: run \`npm run build:ui\``);
});
