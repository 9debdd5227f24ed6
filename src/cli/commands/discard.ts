import { discardRun, openProject } from "../../engine/index.ts";
import { parseId, print } from "../output.ts";

export async function discard(cwd: string, runText: string): Promise<number> {
  const project = await openProject(cwd);
  try {
    const { run, snapshotRef } = await discardRun(project, parseId(runText, "run"));
    print(`discarded run ${run.id}; workspace removed`);
    if (snapshotRef) print(`its work is kept in ${snapshotRef} (git log ${snapshotRef})`);
    return 0;
  } finally {
    await project.close();
  }
}
