import type { Policy } from "./policy.ts";
import { higherTier, type Reason, type Tier, tierRank } from "./tier.ts";
import { matchesGlobs } from "../util/index.ts";

export interface ClassifyInput {
  /** "merge", or the formula's name. */
  action: string;
  /** For a merge: every path its diff adds, changes or deletes. */
  paths?: readonly string[];
  /** For a merge: lines added plus deleted, and files changed. */
  size?: { lines: number; files: number };
  /** The tier the request asks for (disinto's `blast_radius`): it may raise the tier, never lower it. */
  requested?: Tier | undefined;
  /** For a merge: the factory reviewer's verdict on the proposal, if it has one. */
  review?: string | null;
}

export interface Classification {
  tier: Tier;
  reasons: Reason[];
}

const SHOWN_PATHS = 3;

/**
 * The tier of an action: the highest of what the policy says of its kind or formula (unknown:
 * high), every path rule its diff matches, its size, and the tier the request asks for.
 */
export function classify(input: ClassifyInput, policy: Policy): Classification {
  const reasons = [
    kindReason(input.action, policy),
    ...pathReasons(input.paths ?? [], policy),
    ...sizeReasons(input.size, policy),
    ...(input.review === "changes-requested"
      ? [
          {
            rule: "review",
            tier: "high" as const,
            why: "the reviewer asked for changes the proposal does not have",
          },
        ]
      : []),
  ];
  const computed = reasons.map((r) => r.tier).reduce(higherTier);
  if (input.requested !== undefined) reasons.push(requestReason(input.requested, computed));
  return { tier: reasons.map((r) => r.tier).reduce(higherTier), reasons };
}

function kindReason(action: string, policy: Policy): Reason {
  const configured = policy.tiers.get(action);
  if (configured) {
    return {
      rule: `tiers.${action}`,
      tier: configured.tier,
      why: `${action} is ${configured.tier} (${configured.from})`,
    };
  }
  return { rule: "default", tier: "high", why: `"${action}" is not in [tiers]: unknown actions are high` };
}

function pathReasons(paths: readonly string[], policy: Policy): Reason[] {
  return policy.pathRules.flatMap((rule) => {
    const hits = paths.filter((path) => matchesGlobs(path, rule.globs));
    if (hits.length === 0) return [];
    const more = hits.length > SHOWN_PATHS ? ` and ${hits.length - SHOWN_PATHS} more` : "";
    const shown = hits.slice(0, SHOWN_PATHS).join(", ");
    return [{ rule: `paths.${rule.name}`, tier: rule.tier, why: `touches ${rule.what}: ${shown}${more}` }];
  });
}

function sizeReasons(size: ClassifyInput["size"], policy: Policy): Reason[] {
  if (!size) return [];
  const { medium_lines, high_lines, medium_files, high_files } = policy.size;
  const measure = (what: "lines" | "files", value: number, medium: number, high: number): Reason[] => {
    const tier: Tier | undefined = value >= high ? "high" : value >= medium ? "medium" : undefined;
    if (!tier) return [];
    const limit = tier === "high" ? high : medium;
    return [
      { rule: `size.${tier}_${what}`, tier, why: `changes ${value} ${what} (${tier}_${what} = ${limit})` },
    ];
  };
  return [
    ...measure("lines", size.lines, medium_lines, high_lines),
    ...measure("files", size.files, medium_files, high_files),
  ];
}

function requestReason(requested: Tier, computed: Tier): Reason {
  if (tierRank(requested) >= tierRank(computed)) {
    return { rule: "blast_radius", tier: requested, why: `the request asks for ${requested}` };
  }
  return {
    rule: "blast_radius",
    tier: requested,
    why: `the request asks for ${requested}, which is ignored: a request may raise its tier, never lower it`,
  };
}
