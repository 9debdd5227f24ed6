import { type DenialWeight, denialWeight } from "../guard/index.ts";

/** A refusal by any layer, read from an event: the rule that refused and what was tried. */
export interface Refusal {
  rule: string;
  /** The command or request refused, as the agent gave it (raw: print it through printable). */
  tried: string;
  weight: DenialWeight;
}

/** The refusal an event records (git guard and hooks, gaffer's terminals, a permission request), if any. */
export function refusalOf(type: string, data: Record<string, unknown>): Refusal | undefined {
  let rule: string;
  let tried: string;
  if (type === "guard.denied") {
    rule = String(data.rule);
    tried = Array.isArray(data.argv) ? `git ${data.argv.map(String).join(" ")}` : rule;
  } else if (type === "agent.terminal" && typeof data.denied === "string") {
    rule = data.denied;
    tried = String(data.command);
  } else if (type === "sandbox.network-denied") {
    rule = `network: ${String(data.host)}`;
    tried = `${String(data.method)} ${String(data.host)}:${String(data.port)}`;
  } else if (type === "agent.permission" && data.decision === "reject") {
    rule = typeof data.rule === "string" ? data.rule : "";
    tried = String(data.title);
  } else {
    return undefined;
  }
  return { rule, tried, weight: denialWeight(rule) };
}

/** Refusals counted by rule, the ones that tried to escape first. */
export function refusalCounts(
  refusals: readonly Refusal[],
): { rule: string; weight: DenialWeight; count: number }[] {
  const counts = new Map<string, { rule: string; weight: DenialWeight; count: number }>();
  for (const { rule, weight } of refusals) {
    const entry = counts.get(rule) ?? { rule, weight, count: 0 };
    entry.count++;
    counts.set(rule, entry);
  }
  const order: Record<DenialWeight, number> = { escape: 0, other: 1, probe: 2 };
  return [...counts.values()].sort((a, b) => order[a.weight] - order[b.weight] || b.count - a.count);
}
