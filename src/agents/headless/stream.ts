import type { AgentUpdate, StopReason } from "../types.ts";

/** One line of a CLI's JSON stream, parsed. */
export type StreamEvent = Record<string, unknown>;

/** Why a command an agent's own rules refused was denied, until the driver names gaffer's rule for it. */
export const OWN_RULES = "the agent's own rules";

/** Token counts and money for a turn. Input tokens exclude cached ones, which are counted apart. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costAmount?: number;
  costCurrency?: string;
}

/** What a stream has said so far about how its turn ends and what it used. */
export interface TurnSummary {
  stopReason?: StopReason;
  /** The last error the CLI reported, whatever the stop reason. */
  error?: string;
  usage?: Usage;
}

/** One CLI's stream format: both functions are pure. */
export interface StreamParser {
  /** The updates one event stands for (usage is left to `summarize`). */
  updates(event: StreamEvent): AgentUpdate[];
  /** Folds one event into what the earlier events of the turn said. */
  summarize(summary: TurnSummary, event: StreamEvent): TurnSummary;
}

/** A line as a JSON object, or undefined when it is not one. */
export function parseEvent(line: string): StreamEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, key: string): Record<string, unknown> {
  const inner = isObject(value) ? value[key] : undefined;
  return isObject(inner) ? inner : {};
}

export function stringAt(value: unknown, key: string): string | undefined {
  const inner = isObject(value) ? value[key] : undefined;
  return typeof inner === "string" ? inner : undefined;
}

export function numberAt(value: unknown, key: string): number {
  const inner = isObject(value) ? value[key] : undefined;
  return typeof inner === "number" && Number.isFinite(inner) ? inner : 0;
}

export function arrayAt(value: unknown, key: string): unknown[] {
  const inner = isObject(value) ? value[key] : undefined;
  return Array.isArray(inner) ? inner : [];
}

/** The `{ kind: "other" }` update for an event no parser maps. */
export function otherUpdate(event: StreamEvent): AgentUpdate {
  return { kind: "other", type: stringAt(event, "type") ?? "unknown", data: event };
}

/** Two usages added up; the cost is kept only when both are in the same currency or one has none. */
export function addUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return b;
  const cost = addCost(a, b);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
    ...cost,
  };
}

function addCost(a: Usage, b: Usage): Pick<Usage, "costAmount" | "costCurrency"> {
  if (a.costAmount === undefined) return costOf(b);
  if (b.costAmount === undefined) return costOf(a);
  if (a.costCurrency !== b.costCurrency) return {};
  return { costAmount: a.costAmount + b.costAmount, ...(a.costCurrency && { costCurrency: a.costCurrency }) };
}

function costOf(usage: Usage): Pick<Usage, "costAmount" | "costCurrency"> {
  if (usage.costAmount === undefined) return {};
  return { costAmount: usage.costAmount, ...(usage.costCurrency && { costCurrency: usage.costCurrency }) };
}

/** Whether a tool runs shell commands, so its calls are marked as ACP `execute` ones. */
export function shellToolKind(tool: string): { toolKind?: string } {
  return ["bash", "shell", "run_shell_command", "command_execution"].includes(tool.toLowerCase())
    ? { toolKind: "execute" }
    : {};
}
