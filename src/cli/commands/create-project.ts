import { resolve } from "node:path";
import { createProject as scaffold } from "../../factory/index.ts";
import { print } from "../output.ts";

/** `gaffer create-project <name>`: a new repository at `--dir` (default ./<name>), optionally added to a fleet. */
export async function createProject(
  cwd: string,
  name: string,
  options: { dir?: string; fleet?: string },
): Promise<number> {
  const created = await scaffold({
    name,
    dir: resolve(cwd, options.dir ?? name),
    ...(options.fleet !== undefined && { fleet: resolve(cwd, options.fleet) }),
  });
  print(`created ${created.dir} (commit ${created.commit.slice(0, 7)}): ${created.files.join(", ")}`);
  if (created.fleet) print(`registered ${name} in ${created.fleet}`);
  print(`next: write PLAN.md and the gate in gaffer.toml, then \`gaffer -C ${created.dir} validate\``);
  return 0;
}
