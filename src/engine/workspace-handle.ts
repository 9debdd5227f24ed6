import type { Run } from "../store/index.ts";
import { type Workspace, workspaceAt } from "../workspace/index.ts";
import type { RunRecorder } from "./recorder.ts";

/** The run's workspace; a git config the agent changed is restored and recorded as an event. */
export function runWorkspace(run: Pick<Run, "workspace">, recorder?: RunRecorder): Workspace {
  return workspaceAt(run.workspace, {
    onTamper: (evidence) => recorder?.enqueue("workspace.tampered", { ...evidence }),
  });
}
