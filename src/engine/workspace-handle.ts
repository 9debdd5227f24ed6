import { EVENTS, type Run } from "../store/index.ts";
import { type TamperEvidence, type Workspace, workspaceAt } from "../workspace/index.ts";
import type { RunRecorder } from "./recorder.ts";

/**
 * The run's workspace; a git config the agent changed is restored and recorded as an event. With
 * `signal`, gaffer's git commands there are killed the moment it aborts.
 */
export function runWorkspace(
  run: Pick<Run, "workspace">,
  recorder?: RunRecorder,
  signal?: AbortSignal,
): Workspace {
  return { ...workspaceAt(run.workspace, { onTamper: recordTamper(recorder) }), ...(signal && { signal }) };
}

/** Records a restored git config as a workspace-tampered event. */
export function recordTamper(recorder: RunRecorder | undefined): (evidence: TamperEvidence) => void {
  return (evidence) => recorder?.enqueue(EVENTS.workspaceTampered, { ...evidence });
}
