import { openProject, refillWarmPool } from "../../engine/index.ts";
import { plural, print, printJson } from "../output.ts";
import { readyStandby } from "../standby/index.ts";

/** `gaffer warm`: brings the warm pool to `[workspace] warm` clones at the default branch's head. */
export async function warm(cwd: string, opts: { json?: boolean }): Promise<number> {
  const project = await openProject(cwd);
  try {
    const size = project.config.workspace.warm;
    const filled = await refillWarmPool(project);
    // The pool's clones and a process with gaffer's code loaded: a run then starts at once.
    const standby = size > 0 ? await readyStandby() : undefined;
    if (opts.json) {
      printJson({ size, ...filled, standby: standby ?? null });
      return 0;
    }
    if (filled.busy) {
      print(`another gaffer process is filling the warm pool (${filled.ready} of ${size} ready)`);
      return 0;
    }
    const discarded = filled.discarded > 0 ? `, ${plural(filled.discarded, "old clone")} removed` : "";
    print(
      `warm pool: ${filled.ready} of ${size} ready at ${filled.baseCommit.slice(0, 12)} (${filled.made} made${discarded})`,
    );
    if (standby !== undefined) print(`standby: process ${standby} is ready to run the next \`gaffer run\``);
    if (size === 0) print("set [workspace] warm = N in gaffer.toml to keep N clones ready for runs");
    return 0;
  } finally {
    await project.close();
  }
}
