import * as acp from "@agentclientprotocol/sdk";
import {
  DEFAULT_SCENARIO,
  type Scenario,
  scenarioFromPrompt,
  stepsForAttempt,
  stepsForReview,
} from "./scenario.ts";
import { runStep } from "./steps.ts";

export interface ScriptedAgentOptions {
  /** The scenario to play; without it, a ```scenario block in the prompt, else one that does nothing. */
  scenario?: Scenario;
  /** How a `crash` step ends the agent. The default throws, which fails the turn (in-process use). */
  crash?: (code: number, message: string) => never;
}

interface SessionState {
  cwd: string;
  turn: AbortController | undefined;
}

/**
 * The built-in scripted agent: a deterministic ACP agent that plays a scenario, one list of
 * steps per attempt (from the prompt's `_meta.gaffer.attempt`). Serve it in-process with
 * `client.connect(app)` or over stdio with runScriptedAgentOverStdio.
 */
export function createScriptedAgent(options: ScriptedAgentOptions = {}): acp.AgentApp {
  const sessions = new Map<string, SessionState>();
  const crash = options.crash ?? throwCrash;
  return acp
    .agent({ name: "gaffer-scripted" })
    .onRequest(acp.methods.agent.initialize, () => ({
      protocolVersion: acp.PROTOCOL_VERSION,
      agentCapabilities: {},
      agentInfo: { name: "gaffer-scripted", version: "0.1.0" },
    }))
    .onRequest(acp.methods.agent.session.new, ({ params }) => {
      const sessionId = `scripted-${sessions.size + 1}`;
      sessions.set(sessionId, { cwd: params.cwd, turn: undefined });
      return { sessionId };
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      sessions.get(params.sessionId)?.turn?.abort();
    })
    .onRequest(acp.methods.agent.session.prompt, async ({ params, client, signal }) => {
      const session = sessions.get(params.sessionId);
      if (!session) throw acp.RequestError.sessionNotFound(params.sessionId);
      const text = params.prompt.map((block) => (block.type === "text" ? block.text : "")).join("\n");
      const scenario = options.scenario ?? scenarioFromPrompt(text) ?? DEFAULT_SCENARIO;
      const turn = new AbortController();
      session.turn = turn;
      signal.addEventListener("abort", () => turn.abort(), { once: true });
      try {
        const round = gafferMeta(params._meta, "review");
        const steps = round
          ? stepsForReview(scenario, round)
          : stepsForAttempt(scenario, gafferMeta(params._meta, "attempt") ?? 1);
        for (const [index, step] of steps.entries()) {
          if (turn.signal.aborted) break;
          const ctx = {
            client,
            sessionId: params.sessionId,
            cwd: session.cwd,
            signal: turn.signal,
            index,
            crash,
          };
          const stopReason = await runStep(step, ctx);
          if (stopReason) return { stopReason };
        }
        return { stopReason: turn.signal.aborted ? "cancelled" : "end_turn" };
      } finally {
        session.turn = undefined;
      }
    });
}

/** A number gaffer passes in `_meta.gaffer` (the attempt, or the review round); undefined when absent. */
function gafferMeta(
  meta: { [key: string]: unknown } | null | undefined,
  key: "attempt" | "review",
): number | undefined {
  const gaffer = meta?.gaffer;
  const value =
    typeof gaffer === "object" && gaffer !== null ? (gaffer as Record<string, unknown>)[key] : undefined;
  return typeof value === "number" && value >= 1 ? value : undefined;
}

function throwCrash(code: number, message: string): never {
  throw new Error(`scripted agent crashed (code ${code}): ${message}`);
}
