import { openProject, requestCancel } from "../../engine/index.ts";
import { parseId, print } from "../output.ts";

export async function cancel(cwd: string, runText: string): Promise<number> {
  const project = await openProject(cwd);
  try {
    const run = await requestCancel(project, parseId(runText, "run"));
    print(`cancelling run ${run.id}: its agent is stopped and its workspace kept (gaffer show ${run.id})`);
    return 0;
  } finally {
    await project.close();
  }
}
