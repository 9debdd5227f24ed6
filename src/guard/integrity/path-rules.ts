import { globHit, type GlobHit } from "../../util/index.ts";

/**
 * What no run may change, whatever its allowPaths: gaffer's own config and state, and the
 * submodule configuration (its `update = !cmd` and `url = ext::…` would run commands).
 */
export const DEFAULT_DENY_PATHS: readonly string[] = [".git/**", ".gaffer/**", "gaffer.toml", ".gitmodules"];

/** The deny list a run is checked against: gaffer's own, then the project's `[guard] deny_paths`. */
export function runDenyPaths(configured: readonly string[] | undefined): string[] {
  return [...DEFAULT_DENY_PATHS, ...(configured ?? [])];
}

export interface PathRules {
  /** Path globs (see util/glob.ts); empty allows every path. */
  allowPaths: readonly string[];
  denyPaths: readonly string[];
}

/**
 * Whether a run may change a path, with the deny and allow entries it hits (an entry an exclusion
 * cancelled included, for explaining). A deny wins over any allow; an empty allow list allows all.
 */
export interface PathVerdict {
  kind: "denied" | "not-allowed" | "allowed";
  deny?: GlobHit;
  allow?: GlobHit;
}

export function pathVerdict(path: string, rules: PathRules): PathVerdict {
  const deny = globHit(path, rules.denyPaths);
  const allow = globHit(path, rules.allowPaths);
  const hits = { ...(deny && { deny }), ...(allow && { allow }) };
  if (deny && deny.excludedBy === undefined) return { kind: "denied", ...hits };
  if (rules.allowPaths.length > 0 && (!allow || allow.excludedBy !== undefined)) {
    return { kind: "not-allowed", ...hits };
  }
  return { kind: "allowed", ...hits };
}
