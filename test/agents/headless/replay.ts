import { readFileSync } from "node:fs";
import { HEADLESS_FORMATS } from "../../../src/agents/headless/formats.ts";
import { parseEvent, type TurnSummary } from "../../../src/agents/headless/stream.ts";
import type { AgentUpdate, HeadlessFormat } from "../../../src/agents/types.ts";

export function fixturePath(format: HeadlessFormat): string {
  return new URL(`fixtures/${format}.jsonl`, import.meta.url).pathname;
}

/** A fixture transcript through its format's parser: every update, and the folded summary. */
export function replay(format: HeadlessFormat): { updates: AgentUpdate[]; summary: TurnSummary } {
  const { parser } = HEADLESS_FORMATS[format];
  const lines = readFileSync(fixturePath(format), "utf8").split("\n").filter(Boolean);
  const events = lines.map((line) => parseEvent(line) ?? {});
  return {
    updates: events.flatMap((event) => parser.updates(event)),
    summary: events.reduce<TurnSummary>((summary, event) => parser.summarize(summary, event), {}),
  };
}

/** `other` updates by their type only: their data is the whole event. */
export function shown(updates: AgentUpdate[]): unknown[] {
  return updates.map((update) => (update.kind === "other" ? { kind: "other", type: update.type } : update));
}
