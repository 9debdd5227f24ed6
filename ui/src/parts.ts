import { h, time } from "./dom.ts";
import type { GafferEvent, Run } from "./types.ts";

/** What a page gets: where to say that an action went wrong or right. */
export interface PageTools {
  notify(text: string, kind: "ok" | "error"): void;
  refresh(): void;
}

export function runLink(run: Pick<Run, "id">): HTMLElement {
  return h("a", { href: `#/runs/${run.id}` }, `run ${run.id}`);
}

export function stateBadge(state: string): HTMLElement {
  return h("span", { class: `badge state-${state}` }, state);
}

export async function perform(tools: PageTools, what: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
    tools.notify(what, "ok");
  } catch (error) {
    const hint = error instanceof Error && "hint" in error && error.hint ? ` (${String(error.hint)})` : "";
    tools.notify(`${error instanceof Error ? error.message : String(error)}${hint}`, "error");
  }
  tools.refresh();
}

/** One line saying what an event was, from its data: text only. */
export function summary(event: GafferEvent): string {
  const data = event.data;
  const parts: string[] = [];
  for (const key of [
    "state",
    "role",
    "name",
    "title",
    "text",
    "command",
    "reason",
    "error",
    "exitCode",
    "path",
  ]) {
    const value = data[key];
    if (value !== undefined && value !== null && value !== "") parts.push(`${key}: ${String(value)}`);
  }
  const line = parts.join(" · ");
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}

export function timelineRow(event: GafferEvent): HTMLElement {
  return h(
    "div",
    { "data-event-id": String(event.id) },
    time(event.at),
    " ",
    h("code", {}, event.type),
    " ",
    summary(event),
  );
}
