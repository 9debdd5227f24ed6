import { type EventBody, EVENTS } from "../store/index.ts";
import { type DenialWeight, denialWeight } from "../guard/index.ts";

/** A refusal by any layer, read from an event: the rule that refused and what was tried. */
export interface Refusal {
  rule: string;
  /** The command or request refused, as the agent gave it (raw: print it through printable). */
  tried: string;
  weight: DenialWeight;
}

/** The refusal an event records (git guard and hooks, gaffer's terminals, a permission request), if any. */
export function refusalOf(event: EventBody): Refusal | undefined {
  const refusal = refused(event);
  return refusal && { ...refusal, weight: denialWeight(refusal.rule) };
}

function refused(event: EventBody): Omit<Refusal, "weight"> | undefined {
  switch (event.type) {
    case EVENTS.guardDenied.name:
      return { rule: event.data.rule, tried: `git ${event.data.argv.join(" ")}` };
    case EVENTS.agentTerminal.name:
      return event.data.denied === undefined
        ? undefined
        : { rule: event.data.denied, tried: event.data.command };
    case EVENTS.sandboxNetworkDenied.name: {
      const { host, port, method } = event.data;
      return { rule: `network: ${host}`, tried: `${method} ${host}:${port}` };
    }
    case EVENTS.agentPermission.name:
      return event.data.decision === "reject"
        ? { rule: event.data.rule ?? "", tried: event.data.title }
        : undefined;
    default:
      return undefined;
  }
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
