/**
 * gaffer's verification of a workspace after the agent's last turn, before any proposal.
 *
 *   const baseline = await captureBaseline(ws);          // before the agent's first turn
 *   await saveBaseline(path, baseline);
 *   …agent turns, gate…
 *   const findings = await verifyIntegrity(ws, { baseline: await loadBaseline(path), branch, baseCommit,
 *     allowPaths, denyPaths: runDenyPaths(config.guard.denyPaths) });
 *   const tampering = await detectTestTampering(ws, baseCommit, { severity: policy.tamper });
 *   const secrets = await checkSecrets(ws, { baseCommit, branch, known, commitMessage, severity });
 *
 * Violations are findings, never exceptions; only a failing git command throws.
 */
import type { Workspace } from "../../workspace/index.ts";
import type { Baseline } from "./baseline.ts";
import { checkHistory } from "./history.ts";
import { checkMetadata } from "./metadata.ts";
import { checkPaths } from "./paths.ts";
import { checkRefs } from "./refs.ts";
import type { Finding } from "./types.ts";

export { type Baseline, captureBaseline, loadBaseline, saveBaseline } from "./baseline.ts";
export {
  DEFAULT_DENY_PATHS,
  pathVerdict,
  type PathRules,
  type PathVerdict,
  runDenyPaths,
} from "./path-rules.ts";
export { checkSecrets, type SecretsCheckOptions } from "./secrets.ts";
export { detectTestTampering, type TamperOptions } from "./tamper.ts";
export { isTestPath } from "./tamper-patterns.ts";
export type { Finding, FindingSeverity } from "./types.ts";

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
}

/** Runs the blocking checks — git metadata, refs, history, changed paths — and returns their findings. */
export async function verifyIntegrity(ws: Workspace, opts: IntegrityOptions): Promise<Finding[]> {
  // First, from disk: the git commands of the other checks restore a changed config.
  const findings = await checkMetadata(ws, opts.baseline);
  // The config change is already a finding; restoring it must not also throw.
  const guarded: Workspace = { ...ws, onTamper: (evidence) => ws.onTamper?.(evidence) };
  findings.push(...(await checkRefs(guarded, opts)));
  findings.push(...(await checkHistory(guarded, opts)));
  findings.push(...(await checkPaths(guarded, opts)));
  return findings;
}
