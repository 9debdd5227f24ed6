import type { Workspace } from "../../workspace/index.ts";
import type { Baseline } from "./baseline.ts";
import { configDigest, hookDigests, restoredConfigCopies } from "./git-dir.ts";
import type { Finding } from "./types.ts";

/**
 * `.git/hooks` and `.git/config` must be as the baseline recorded them. Run it before any other
 * check: their git commands restore a changed config (saving a copy), and a copy saved since the
 * baseline counts as a change too — gaffer may already have restored one between turns.
 */
export async function checkMetadata(ws: Workspace, baseline: Baseline): Promise<Finding[]> {
  const findings: Finding[] = [];
  const hooks = compareHooks(baseline.hooks, await hookDigests(ws));
  if (hooks) findings.push(hooks);
  const config = await compareConfig(ws, baseline);
  if (config) findings.push(config);
  return findings;
}

function compareHooks(before: Record<string, string>, after: Record<string, string>): Finding | null {
  const added = Object.keys(after).filter((name) => !(name in before));
  const removed = Object.keys(before).filter((name) => !(name in after));
  const modified = Object.keys(after).filter((name) => name in before && before[name] !== after[name]);
  if (added.length + removed.length + modified.length === 0) return null;
  const names = [...added, ...removed, ...modified].sort().join(", ");
  return metadataFinding("hooks-changed", `.git/hooks was changed: ${names}`, { added, removed, modified });
}

async function compareConfig(ws: Workspace, baseline: Baseline): Promise<Finding | null> {
  const foundSha256 = await configDigest(ws);
  const restoredCopies = (await restoredConfigCopies(ws)).filter(
    (copy) => !baseline.restoredConfigs.includes(copy),
  );
  if (foundSha256 === baseline.configSha256 && restoredCopies.length === 0) return null;
  return metadataFinding("config-changed", ".git/config was changed", {
    expectedSha256: baseline.configSha256,
    foundSha256,
    restoredCopies,
  });
}

function metadataFinding(rule: string, message: string, evidence: Record<string, unknown>): Finding {
  return { check: "metadata", rule, severity: "block", message, evidence };
}
