import type { GafferConfig } from "../config/index.ts";
import { type Db, EVENTS, eventsSince } from "../store/index.ts";

/** How far back a plan limit can still hold: a subscription's weekly limit resets within a week. */
const LOOKBACK_MS = 8 * 24 * 60 * 60_000;

/** A model host at its plan limit, and the agents (backends) that use it, held back until `until`. */
export interface BackendPause {
  host: string;
  until: number;
  agents: string[];
  /** The run that met the limit. */
  run: number | null;
}

/**
 * The plan limits that hold now: per host, the latest plan-limit event whose end is still ahead.
 * The agents held are the one that met it and every preset whose own hosts include that host.
 */
export async function readBackendPauses(db: Db, config: GafferConfig, now: number): Promise<BackendPause[]> {
  const latest = new Map<string, BackendPause>();
  for (const event of await eventsSince(db, EVENTS.modelPlanLimit, now - LOOKBACK_MS)) {
    const { host, until, agent } = event.data;
    latest.set(host, {
      host,
      until,
      agents: [...new Set([agent, ...agentsUsing(config, host)])],
      run: event.runId,
    });
  }
  return [...latest.values()].filter((pause) => pause.until > now);
}

function agentsUsing(config: GafferConfig, host: string): string[] {
  return [...config.agents.values()].flatMap((preset) =>
    preset.driver !== "scripted" && preset.hosts.includes(host) ? [preset.name] : [],
  );
}
