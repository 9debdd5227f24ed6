import { GafferError } from "../errors.ts";
import {
  checkSecrets,
  detectTestTampering,
  loadBaseline,
  runDenyPaths,
  verifyIntegrity,
} from "../guard/integrity/index.ts";
import { redactStrings, secretScanner } from "../guard/secrets/index.ts";
import { listEvents, type ProposalFinding, type Run } from "../store/index.ts";
import type { Workspace } from "../workspace/index.ts";
import { projectRefsPath } from "./confinement.ts";
import { knownSecrets } from "./known-secrets.ts";
import { projectRefChanges } from "./project-refs.ts";
import type { StepContext } from "./run.ts";

/**
 * gaffer's own verification of the workspace after the agent's last turn, before any proposal:
 * refs, history, changed paths, git metadata, test tampering, and secrets in anything the proposal
 * would publish (`commitMessage` is the one gaffer commits the uncommitted changes with). Every
 * finding becomes an event; a blocking one stops the proposal. The flagged ones are returned to go
 * on the proposal.
 */
export async function verifyRun(
  context: StepContext,
  run: Run,
  workspace: Workspace,
  commitMessage: string,
): Promise<ProposalFinding[]> {
  const { project, recorder, confinement } = context;
  if (!confinement) throw new GafferError("run-state", `run ${run.id} has no prepared workspace to verify`);
  const integrity = await verifyIntegrity(workspace, {
    baseline: await loadBaseline(confinement.baselinePath),
    branch: run.branch,
    baseCommit: run.base_commit,
    allowPaths: project.config.guard.allowPaths,
    denyPaths: runDenyPaths(project.config.guard.denyPaths),
    observedTips: await observedTips(context, run),
  });
  const gate = project.config.gate.commands.map((command) => command.run);
  const tampering = (await detectTestTampering(workspace, run.base_commit, { gate })).map(
    (finding: ProposalFinding) => ({
      ...finding,
      severity: project.config.guard.tamper,
    }),
  );
  const known = await knownSecrets(project);
  const secrets = await checkSecrets(workspace, {
    baseCommit: run.base_commit,
    branch: run.branch,
    known,
    commitMessage,
    severity: project.config.guard.secrets,
  });
  const projectChanges = run.sandbox.startsWith("none")
    ? await projectRefChanges(project.root, projectRefsPath(project, run))
    : [];
  // The checks quote what the agent wrote (paths, lines, refs): no secret gaffer knows is shown.
  const { redact } = secretScanner(known);
  const findings = [...integrity, ...tampering, ...secrets, ...projectChanges].map((finding) => ({
    ...finding,
    message: redact(finding.message),
    evidence: redactStrings(finding.evidence, redact),
  }));
  for (const finding of findings) await recorder.event("integrity.finding", { ...finding });
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

/** The branch tips gaffer saw after each agent turn, so a forged reflog cannot hide a rewrite. */
async function observedTips(context: StepContext, run: Run): Promise<string[]> {
  const events = await listEvents(context.project.store.db, { runId: run.id });
  return events
    .filter((e) => e.type === "agent.done" && typeof e.data.head === "string")
    .map((e) => e.data.head as string);
}
