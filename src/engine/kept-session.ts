import type { AgentPreset, AgentSession, AgentUpdate } from "../agents/index.ts";

export type UsageUpdate = Extract<AgentUpdate, { kind: "usage" }>;

/**
 * An agent session that may outlive one attempt (a role with `continuation = "continue"`): the
 * next attempt is a further turn in it. Its updates go to whichever attempt is current, and since
 * a session's usage is cumulative, the usage reported before an attempt is that attempt's baseline.
 */
export class KeptSession {
  session: AgentSession | undefined;
  #route: (update: AgentUpdate) => void;
  #usage: Partial<UsageUpdate> = {};

  constructor(route: (update: AgentUpdate) => void) {
    this.#route = route;
  }

  /** The callback the session is started with. */
  readonly onUpdate = (update: AgentUpdate): void => {
    if (update.kind === "usage") this.#usage = { ...this.#usage, ...update };
    this.#route(update);
  };

  /** Sends the next turn's updates to `route`; returns the usage reported so far. */
  handOver(route: (update: AgentUpdate) => void): Partial<UsageUpdate> {
    this.#route = route;
    return { ...this.#usage };
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
  }
}

/** Only an ACP session (the scripted agent's too) takes a further turn; CLI drivers start anew each time. */
export function canContinue(preset: AgentPreset): boolean {
  return preset.driver === "acp" || preset.driver === "scripted";
}
