import { isAbsolute, relative, resolve, sep } from "node:path";
import type { GafferConfig } from "../../config/index.ts";
import { GafferError } from "../../errors.ts";
import { classify, type Policy, type Tier } from "../../vault/index.ts";
import { print, printJson } from "../output.ts";
import { DEFAULT_DENY_PATHS, pathVerdict, type PathVerdict, runDenyPaths } from "../../guard/index.ts";
import { globHit, type GlobHit } from "../../util/index.ts";

interface VaultReason {
  rule: string;
  tier: Tier;
  why: string;
  /** For a path rule: the entry of its globs the path matched. */
  glob?: string;
}

/**
 * `gaffer validate --explain-path <path>`: which of the guard's allow and deny entries and which
 * of the vault's path rules a path hits, and the tier of a merge that changes it. The path is
 * only named, never read.
 */
export function explainPath(
  cwd: string,
  root: string,
  config: GafferConfig,
  policy: Policy,
  given: string,
  json: boolean,
): number {
  const path = projectPath(cwd, root, given);
  const guard = pathVerdict(path, {
    allowPaths: config.guard.allowPaths,
    denyPaths: runDenyPaths(config.guard.denyPaths),
  });
  const { tier, reasons } = classify({ action: "merge", paths: [path] }, policy);
  const vault: VaultReason[] = reasons.map((reason) => {
    const rule = policy.pathRules.find((candidate) => `paths.${candidate.name}` === reason.rule);
    const glob = rule ? globHit(path, rule.globs)?.pattern : undefined;
    return { ...reason, ...(glob !== undefined && { glob }) };
  });
  if (json) {
    printJson({ path, guard, merge: { tier, reasons: vault } });
    return 0;
  }
  print(path);
  print(`  run:   ${guardLine(guard, config)}`);
  for (const line of cancelledLines(guard)) print(`         ${line}`);
  print(`  merge: ${tier} (a merge's size may raise it)`);
  for (const reason of vault) {
    const via = reason.glob !== undefined ? `, via "${reason.glob}"` : "";
    print(`         ${reason.rule} (${reason.tier}): ${reason.why}${via}`);
  }
  return 0;
}

/** The path from the project root, slash-separated; one outside the project is refused. */
function projectPath(cwd: string, root: string, given: string): string {
  const inProject = relative(root, resolve(cwd, given));
  if (inProject === "" || inProject.startsWith("..") || isAbsolute(inProject)) {
    throw new GafferError(
      "usage",
      `${given} is not a path inside the project ${root}`,
      "name a file in the project",
    );
  }
  return inProject.split(sep).join("/");
}

function guardLine(verdict: PathVerdict, config: GafferConfig): string {
  switch (verdict.kind) {
    case "denied": {
      const pattern = verdict.deny?.pattern ?? "";
      const from = DEFAULT_DENY_PATHS.includes(pattern) ? "gaffer's own deny rule" : "deny_paths";
      return `a run may not change it: ${from} "${pattern}"`;
    }
    case "not-allowed":
      return `a run may not change it: none of the ${config.guard.allowPaths.length} allow_paths entries covers it`;
    case "allowed":
      return verdict.allow
        ? `a run may change it: allow_paths "${verdict.allow.pattern}"`
        : "a run may change it: allow_paths is empty and no deny_paths entry matches";
    default:
      return verdict.kind satisfies never;
  }
}

/** Entries the path matched that an exclusion cancelled: the reason a rule did not apply. */
function cancelledLines(verdict: PathVerdict): string[] {
  const line = (list: string, hit: GlobHit | undefined) =>
    hit?.excludedBy !== undefined ? [`${list} "${hit.pattern}" is cancelled by "${hit.excludedBy}"`] : [];
  return [...line("deny_paths", verdict.deny), ...line("allow_paths", verdict.allow)];
}
