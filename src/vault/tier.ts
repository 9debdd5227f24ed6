/**
 * Blast radius, from least to most: low runs at once, medium waits for review (then executes or
 * expires), high waits for an approver.
 */
export const TIERS = ["low", "medium", "high"] as const;

export type Tier = (typeof TIERS)[number];

/** Why an action has its tier: the rule that said so, the tier it asks for, in words. */
export interface Reason {
  rule: string;
  tier: Tier;
  why: string;
}

export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

export function higherTier(a: Tier, b: Tier): Tier {
  return tierRank(a) >= tierRank(b) ? a : b;
}
