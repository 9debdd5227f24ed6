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

/** What the fake model server reported for the recorded turn (see scripts/agents-record.ts). */
export interface RecordedUsage {
  cli: string;
  model: string;
  requests: {
    path: string;
    /** A step of the scripted conversation, not a side request of the CLI's own. */
    conversation: boolean;
    usage: { input: number; output: number; cacheRead: number; cacheWrite: number };
  }[];
}

export function recordedUsage(format: HeadlessFormat): RecordedUsage {
  const path = new URL(`fixtures/${format}.usage.json`, import.meta.url);
  return JSON.parse(readFileSync(path, "utf8")) as RecordedUsage;
}

/** The fake server's figures for the requests `which` picks, added up. */
export function reportedTotals(
  recorded: RecordedUsage,
  which: (request: RecordedUsage["requests"][number]) => boolean = () => true,
): RecordedUsage["requests"][number]["usage"] {
  const total = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const { usage } of recorded.requests.filter(which)) {
    total.input += usage.input;
    total.output += usage.output;
    total.cacheRead += usage.cacheRead;
    total.cacheWrite += usage.cacheWrite;
  }
  return total;
}

/** Tool call ids in order of appearance as `call-1`, `call-2`…: the CLIs make them up anew on every recording. */
export function numbered(updates: unknown[]): unknown[] {
  const ids = new Map<string, string>();
  return updates.map((update) => {
    const id = (update as { id?: unknown }).id;
    if (typeof id !== "string") return update;
    if (!ids.has(id)) ids.set(id, `call-${ids.size + 1}`);
    return { ...(update as object), id: ids.get(id) };
  });
}
