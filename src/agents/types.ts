import type { AgentUpdatePayload } from "../store/index.ts";
import type { CommandWrapper } from "../util/index.ts";

/**
 * The contract between the run engine and every agent driver (ACP, scripted, command template).
 * A driver starts one session per attempt in a workspace; the engine only ever sees AgentUpdates,
 * permission decisions it made itself, and a stop reason. Nothing an agent says is evidence.
 */

/**
 * One thing an agent did or said, normalized from ACP session updates or a CLI's output. Its shape
 * is the one the store records (the agent.* events), defined once in the event catalogue.
 */
export type AgentUpdate = AgentUpdatePayload;

/** Why a turn ended. `error` carries what broke; the engine turns it into a failed attempt. */
export type StopReason =
  "end_turn" | "max_tokens" | "max_turn_requests" | "refusal" | "cancelled" | "timeout" | "error";

export interface TurnResult {
  stopReason: StopReason;
  /** Set when stopReason is "error" (crash, protocol failure, non-zero exit). */
  error?: string;
  /**
   * Set when stopReason is "error" because the agent's process was killed by a signal gaffer did
   * not send (the OOM killer, say): the machine ended the turn, not the agent.
   */
  killedBy?: string;
}

/** Decides what an agent may do. Both ACP permission requests and ACP terminals consult it. */
export interface CommandPolicy {
  /** undefined = allowed; otherwise the rule that denies it, e.g. "git push". */
  deniedBy(command: string, args: readonly string[]): string | undefined;
}

export interface SessionContext {
  /** The run's workspace: the only directory the agent may read or write through gaffer. */
  workspace: string;
  /** Environment for anything the agent runs. */
  env: NodeJS.ProcessEnv;
  policy: CommandPolicy;
  /** Called for every update, in order. The engine records each as an event. */
  onUpdate(update: AgentUpdate): void;
  /** Told of every chunk the agent's commands print in gaffer's terminals, as it arrives (the output limit). */
  onTerminalOutput?(bytes: number): void;
  /** Wall-clock limit for one turn. */
  turnTimeoutMs: number;
  /** Hosts a `fetch` permission request may reach: the sandbox's allowlist. None when absent. */
  hosts?: readonly string[];
  /** Confines every process started for the agent (its own, its terminals); none = unconfined. */
  wrap?: CommandWrapper;
}

export interface PromptRequest {
  text: string;
  /** 1-based attempt number within the run, passed to the agent as ACP `_meta.gaffer.attempt`. */
  attempt: number;
  runId: number;
  itemId: number;
  /** Set when the agent reviews a proposal: the review round, passed as `_meta.gaffer.review`. */
  review?: number;
}

export interface AgentSession {
  /** Runs one turn to its end. Never throws for agent misbehaviour: that is a TurnResult with "error". */
  prompt(request: PromptRequest): Promise<TurnResult>;
  /** Asks the agent to stop (ACP session/cancel), then kills it after a grace period. */
  cancel(): Promise<void>;
  /** Releases the session's process and resources. Safe to call twice. */
  close(): Promise<void>;
}

export interface AgentDriver {
  readonly name: string;
  /** Throws GafferError("agent-unavailable") when the agent's program cannot be started. */
  startSession(context: SessionContext): Promise<AgentSession>;
}

/** An agent preset from gaffer.toml, compiled: paths absolute, durations in ms. */
export type AgentPreset =
  | {
      name: string;
      driver: "scripted";
      /** Scenario file; without it the scenario is read from a ```scenario block in the prompt. */
      scenario?: string;
      /** Run the scripted agent in this process (tests) or as an ACP subprocess (default). */
      inProcess: boolean;
    }
  | ({ name: string; driver: "acp"; command: string[]; env: Record<string, string> } & AgentNeeds)
  | ({ name: string; driver: "command"; template: string } & AgentNeeds)
  | ({ name: string; driver: "headless"; format: HeadlessFormat; program: string } & AgentNeeds);

/** The structured output streams of the agent CLIs the headless driver understands. */
export type HeadlessFormat = "claude" | "codex" | "gemini" | "opencode";

/** What a real agent needs from its sandbox. `{model}` in its command is replaced by `model`. */
export interface AgentNeeds {
  model?: string;
  /** Arguments added (with `{model}` replaced) when a model is chosen. */
  modelArgs?: string[];
  /** A variable set to the model when one is chosen. */
  modelEnv?: string;
  /** Variables (API keys) passed into the sandbox from gaffer's environment. */
  passEnv: string[];
  /** Hosts the agent may reach through gaffer's proxy. */
  hosts: string[];
  /** Variables of which the agent needs at least one (its API key) to start; none for user presets. */
  keyEnv?: string[];
  /** The agent whose own permission format gets gaffer's rules, whatever its command runs through. */
  nativeRules?: HeadlessFormat;
}
