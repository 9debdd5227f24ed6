import { GafferError } from "../errors.ts";
import { EVENTS, eventsOfKind, listEvents, type ProposalFinding, type Run } from "../store/index.ts";
import { describeProposal, memoizedReader, type WorkRecord, type Workspace } from "../workspace/index.ts";
import { projectRefsPath } from "./confinement.ts";
import { knownSecrets } from "./known-secrets.ts";
import { projectRefChanges } from "./project-refs.ts";
import type { StepContext, WorkInspection } from "./step-context.ts";
import {
  checkPaths,
  checkSecrets,
  detectTestTampering,
  loadBaseline,
  redactStrings,
  runDenyPaths,
  secretScanner,
  type Subject,
  verifyIntegrity,
} from "../guard/index.ts";

/**
 * gaffer's own verification of the run after the agent's last turn, before any proposal: refs,
 * history, changed paths, git metadata, test tampering (what the gate runs included), secrets in
 * anything the proposal would publish, and what its gate did to its checkout. Objects are read only
 * from `subject` (the recorded work the gate ran on). Every finding becomes an event; a blocking one
 * stops the proposal. The flagged ones are returned to go on the proposal. `inspection`, the checks
 * started alongside the gate on this very work, saves asking them again.
 */
export async function verifyRun(
  context: StepContext,
  run: Run,
  workspace: Workspace,
  recorded: Subject,
  inspection?: WorkInspection,
): Promise<ProposalFinding[]> {
  const { project, recorder, confinement } = context;
  // The checks ask much the same of the same objects (trees, the history, the diff).
  const subject = { ...recorded, objects: inspection?.objects ?? memoizedReader(recorded.objects) };
  if (!confinement) throw new GafferError("run-state", `run ${run.id} has no prepared workspace to verify`);
  const paths = inspection?.checks.then((checks) => checks.paths);
  paths?.catch(() => {}); // awaited by verifyIntegrity after the workspace's own checks
  const integrity = await verifyIntegrity(workspace, subject, {
    baseline: await loadBaseline(confinement.baselinePath),
    branch: run.branch,
    baseCommit: run.baseCommit,
    ...pathRules(context),
    observedTips: await observedTips(context, run),
    ...(paths && { paths }),
  });
  const { tampering, secrets, known } = await (inspection?.checks ??
    objectChecks(context, run, subject, false));
  const projectChanges = run.sandbox.startsWith("none")
    ? await projectRefChanges(project.root, projectRefsPath(project, run))
    : [];
  const gateChanges = await gateChangedFiles(context, run);
  // The checks quote what the agent wrote (paths, lines, refs): no secret gaffer knows is shown.
  const { redact } = secretScanner(known);
  const findings = [...integrity, ...tampering, ...secrets, ...projectChanges, ...gateChanges].map(
    (finding) => ({
      ...finding,
      message: redact(finding.message),
      evidence: redactStrings(finding.evidence, redact),
    }),
  );
  for (const finding of findings) await recorder.event(EVENTS.integrityFinding, { ...finding });
  const blocking = findings.filter((finding) => finding.severity === "block");
  if (blocking.length > 0) {
    const more = blocking.length > 1 ? ` (and ${blocking.length - 1} more)` : "";
    throw new GafferError(
      "integrity",
      `run ${run.id} blocked by gaffer's verification: ${blocking[0]?.message}${more}`,
      `the findings are in \`gaffer logs ${run.id}\` and the failure report`,
    );
  }
  return findings;
}

/**
 * Starts the checks that read only the recorded work's objects — changed paths, test tampering,
 * secrets, the proposal's commits — as soon as that work is recorded: they run alongside its gate,
 * and verifyRun takes their answers for this work (see inspectionOf). Nothing is recorded here.
 */
export function inspectWork(
  context: StepContext,
  run: Run,
  objects: Subject["objects"],
  work: WorkRecord,
): WorkInspection {
  const subject = { objects: memoizedReader(objects), tip: work.tip, head: work.commit };
  const inspection: WorkInspection = {
    baseCommit: run.baseCommit,
    branch: run.branch,
    commit: work.commit,
    tip: work.tip,
    objects: subject.objects,
    checks: objectChecks(context, run, subject, true),
    description: describeProposal(subject.objects, run.baseCommit, work.commit),
  };
  // Answered or not, they are read only if this work is proposed: no rejection goes unheard.
  inspection.checks.catch(() => {});
  inspection.description.catch(() => {});
  return inspection;
}

/** The inspection started on `work`, if it was this run's on this very work; it is handed over once. */
export function inspectionOf(context: StepContext, run: Run, work: WorkRecord): WorkInspection | undefined {
  const inspection = context.inspection;
  context.inspection = undefined;
  const same =
    inspection?.commit === work.commit &&
    inspection.tip === work.tip &&
    inspection.baseCommit === run.baseCommit &&
    inspection.branch === run.branch;
  return same ? inspection : undefined;
}

/** The paths a run may and may not change. */
function pathRules(context: StepContext) {
  const { guard } = context.project.config;
  return { allowPaths: guard.allowPaths, denyPaths: runDenyPaths(guard.denyPaths) };
}

/**
 * What the recorded work's objects alone show: test tampering, secrets and, with `paths`, the
 * changed paths (else verifyIntegrity asks them).
 */
async function objectChecks(context: StepContext, run: Run, subject: Subject, paths: boolean) {
  const { project } = context;
  const pathFindings = paths
    ? await checkPaths(subject, { baseCommit: run.baseCommit, ...pathRules(context) })
    : [];
  const gate = project.config.gate.commands.map((command) => command.run);
  const tampering = (await detectTestTampering(subject, run.baseCommit, { gate })).map(
    (finding: ProposalFinding) => ({ ...finding, severity: project.config.guard.tamper }),
  );
  const known = await knownSecrets(project);
  const secrets = await checkSecrets(subject, {
    baseCommit: run.baseCommit,
    branch: run.branch,
    known,
    severity: project.config.guard.secrets,
  });
  return { paths: pathFindings, tampering, secrets, known };
}

/** A gate that changed tracked files in its checkout: the tree it judged is not what it left. */
async function gateChangedFiles(context: StepContext, run: Run): Promise<ProposalFinding[]> {
  const events = await listEvents(context.project.store.db, { runId: run.id });
  const outputs = eventsOfKind(events, EVENTS.gateOutputs).findLast((e) => e.data.attempt === run.attempt);
  const changed = outputs?.data.changed ?? [];
  if (changed.length === 0) return [];
  return [
    {
      check: "gate",
      rule: "gate-changed-files",
      severity: "flag",
      message: `the gate changed ${changed.length} tracked file(s) in its checkout: ${changed.slice(0, 5).join(", ")}`,
      evidence: { changed, tree: outputs?.data.tree ?? null },
    },
  ];
}

/**
 * The branch tips gaffer saw after each agent turn, so a forged reflog cannot hide a rewrite;
 * since gaffer's own last rebase, which started the branch again on the new base.
 */
async function observedTips(context: StepContext, run: Run): Promise<string[]> {
  const events = await listEvents(context.project.store.db, { runId: run.id });
  const rebased = events.findLastIndex((e) => e.type === EVENTS.runRebased.name);
  return eventsOfKind(events.slice(rebased + 1), EVENTS.agentDone).flatMap((e) => e.data.head ?? []);
}
