import { createHash } from "node:crypto";
import type { Run } from "../store/index.ts";
import {
  type EvidenceRepo,
  keepCommit,
  openEvidenceRepo,
  projectGit,
  readText,
  recordWork,
  type WorkRecord,
} from "../workspace/index.ts";
import type { Project } from "./project.ts";
import type { StepContext } from "./step-context.ts";
import { runWorkspace } from "./workspace-handle.ts";

/** The run's evidence repository (see recordWork), opened once per process. */
export async function runEvidence(context: StepContext, run: Run): Promise<EvidenceRepo> {
  const { project } = context;
  context.evidence ??= await openEvidenceRepo(
    project.root,
    project.paths.evidence(run.id),
    project.config.workspace.copy,
    { seedIndex: runWorkspace(run).indexPath },
  );
  return context.evidence;
}

/**
 * Records the workspace's work as it is now in the run's evidence repository. With `attempt`, it
 * is kept as that attempt's work: the commit its gate runs on, its checks read and a proposal names.
 */
export async function recordRunWork(context: StepContext, run: Run, attempt?: number): Promise<WorkRecord> {
  const { project, item, recorder } = context;
  const repo = await runEvidence(context, run);
  const work = await recordWork(repo, runWorkspace(run, recorder), {
    branch: run.branch,
    baseCommit: run.baseCommit,
    message: `${item.title}\n\ngaffer item #${item.id}, run ${run.id}, attempt ${attempt ?? run.attempt}`,
    identity: project.config.workspace.identity,
    signal: context.signal,
  });
  if (attempt !== undefined) {
    await keepCommit(repo, attemptRef(attempt), work.commit);
    if (work.tip) await keepCommit(repo, `${attemptRef(attempt)}-tip`, work.tip);
  }
  return work;
}

/**
 * The work of a workspace that is still exactly its base, as recording it would find it: the run's
 * branch at the base commit, the base's files. Read from the project, which holds the base.
 */
export async function baseWork(project: Project, run: Run): Promise<WorkRecord> {
  const tree = await projectGit(project.root, ["rev-parse", "--verify", `${run.baseCommit}^{tree}`]);
  return { tip: run.baseCommit, commit: run.baseCommit, tree };
}

/** The work kept for `attempt`, or null when none was recorded. */
export async function keptWork(context: StepContext, run: Run, attempt: number): Promise<WorkRecord | null> {
  const repo = await runEvidence(context, run);
  const kept = attemptRef(attempt);
  // Both refs in one call: a pattern matches a ref whole, so the first does not match the second.
  const listed = await readText(repo, [
    "for-each-ref",
    "--format=%(refname)%00%(objectname)%00%(tree)",
    kept,
    `${kept}-tip`,
  ]);
  const refs = new Map(
    listed
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [name = "", commit = "", tree = ""] = line.split("\0");
        return [name, { commit, tree }] as const;
      }),
  );
  const work = refs.get(kept);
  if (!work?.tree) return null;
  return { commit: work.commit, tree: work.tree, tip: refs.get(`${kept}-tip`)?.commit ?? null };
}

/** Equal for equal work: the same branch tip and the same files. */
export function workFingerprint(work: WorkRecord): string {
  return createHash("sha256")
    .update(`${work.tip ?? ""}\n${work.tree}`)
    .digest("hex");
}

function attemptRef(attempt: number): string {
  return `refs/gaffer/attempts/${attempt}`;
}
