import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CONFIG_FILE,
  detectGate,
  detectSetup,
  readConfig,
  renderConfigTemplate,
} from "../../config/index.ts";
import { ensureStateDir, openProject, projectPaths } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import { detectSandbox } from "../../sandbox/index.ts";
import { resolveProjectRoot } from "../../workspace/index.ts";
import { print } from "../output.ts";

export async function init(cwd: string, options: { force?: boolean }): Promise<number> {
  const root = await resolveProjectRoot(cwd);
  const file = join(root, CONFIG_FILE);
  if (existsSync(file) && !options.force) {
    throw new GafferError("usage", `${file} already exists`, "edit it, or pass --force to overwrite it");
  }
  const gate = detectGate(root);
  const template = renderConfigTemplate({ gate, setup: detectSetup(root), sandbox: detectSandbox() });
  writeFileSync(file, template);
  // Checked as every command will read it, and remembered for them.
  await readConfig(root, { remember: true });
  ensureStateDir(root, projectPaths(root).stateDir);
  print(`wrote ${file}`);
  print(`created ${projectPaths(root).stateDir} (hidden from git through .git/info/exclude)`);
  print(
    gate.length
      ? `gate: ${gate.map((s) => s.run).join(", then ")}`
      : "no gate detected: add [[gate.commands]] to gaffer.toml before the first run",
  );
  print('next: gaffer issue add "<what to do>" && gaffer run 1');
  return 0;
}

/** `gaffer upgrade`: opening the project for writing applies the store's pending migrations. */
export async function upgrade(cwd: string): Promise<number> {
  const project = await openProject(cwd);
  await project.close();
  print(`${project.paths.database} is up to date`);
  return 0;
}
