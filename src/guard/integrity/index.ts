/**
 * gaffer's verification of a workspace after the agent's last turn, before any proposal.
 *
 *   const baseline = await captureBaseline(ws);          // before the agent's first turn
 *   await saveBaseline(path, baseline);
 *   …agent turns, gate…
 *   const work = await recordWork(evidence, ws, { branch, baseCommit, message, identity });
 *   const subject = { objects: evidence, tip: work.tip, head: work.commit };
 *   const findings = await verifyIntegrity(ws, subject, { baseline: await loadBaseline(path), branch,
 *     baseCommit, allowPaths, denyPaths: runDenyPaths(config.guard.denyPaths) });
 *   const tampering = await detectTestTampering(subject, baseCommit, { severity: policy.tamper, gate });
 *   const secrets = await checkSecrets(subject, { baseCommit, branch, known, severity });
 *
 * Violations are findings, never exceptions; only a failing git command throws.
 */
import type { Workspace } from "../../workspace/index.ts";
import type { Baseline } from "./baseline.ts";
import { checkHistory } from "./history.ts";
import { checkMetadata } from "./metadata.ts";
import { checkPaths, untrackedRepositories } from "./paths.ts";
import { checkRefs } from "./refs.ts";
import type { Finding, Subject } from "./types.ts";

export { type Baseline, captureBaseline, loadBaseline, saveBaseline } from "./baseline.ts";
export {
  DEFAULT_DENY_PATHS,
  pathVerdict,
  type PathRules,
  type PathVerdict,
  runDenyPaths,
} from "./path-rules.ts";
export { checkPaths } from "./paths.ts";
export { checkSecrets, type SecretsCheckOptions } from "./secrets.ts";
export { detectTestTampering, type TamperOptions } from "./tamper.ts";
export { isTestPath } from "./tamper-patterns.ts";
export type { Finding, FindingSeverity, Subject } from "./types.ts";

export interface IntegrityOptions {
  baseline: Baseline;
  /** The run branch, without `refs/heads/`. */
  branch: string;
  baseCommit: string;
  /** Globs the run may change; empty allows every path. */
  allowPaths: readonly string[];
  /** Globs the run may not change: runDenyPaths(the project's deny_paths). */
  denyPaths: readonly string[];
  /** Tips of the run branch gaffer saw between turns; each must still be in the branch's history. */
  observedTips?: readonly string[];
  /** checkPaths' findings on this subject when already asked (it reads only the subject's objects). */
  paths?: Promise<Finding[]>;
}

/**
 * Runs the blocking checks — git metadata, refs, history, changed paths — and returns their
 * findings. Names (refs, the reflog, hooks, config) are read from the workspace's `.git`; every
 * object from `subject`, the run's verified evidence.
 */
export async function verifyIntegrity(
  ws: Workspace,
  subject: Subject,
  opts: IntegrityOptions,
): Promise<Finding[]> {
  // First, from disk: the git commands of the other checks restore a changed config.
  const findings = await checkMetadata(ws, opts.baseline);
  // The config change is already a finding; restoring it must not also throw.
  const guarded: Workspace = { ...ws, onTamper: (evidence) => ws.onTamper?.(evidence) };
  findings.push(...(await checkRefs(guarded, subject, opts)));
  findings.push(...(await checkHistory(guarded, subject, opts)));
  findings.push(...(await (opts.paths ?? checkPaths(subject, opts))));
  findings.push(...(await untrackedRepositories(guarded)));
  return findings;
}
