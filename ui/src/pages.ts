import { get, post } from "./api.ts";
import { button, h, section, table, time } from "./dom.ts";
import type { GafferEvent, Item, Run, RunDetail, Status, VaultAction } from "./types.ts";

/** What a page gets: where to say that an action went wrong or right. */
export interface PageTools {
  notify(text: string, kind: "ok" | "error"): void;
  refresh(): void;
}

function runLink(run: Pick<Run, "id">): HTMLElement {
  return h("a", { href: `#/runs/${run.id}` }, `run ${run.id}`);
}

function stateBadge(state: string): HTMLElement {
  return h("span", { class: `badge state-${state}` }, state);
}

async function perform(tools: PageTools, what: string, action: () => Promise<unknown>): Promise<void> {
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

export async function overview(tools: PageTools): Promise<{ node: HTMLElement; after: number }> {
  const status = await get<Status>("status");
  const { daemon } = status;
  const paused = daemon.paused;
  const roles = status.factory?.roles ?? [];
  const node = h(
    "div",
    { class: "page overview" },
    h("h1", {}, "Overview"),
    h(
      "p",
      { class: "facts" },
      `supervisor: ${daemon.daemon ? `up (pid ${daemon.daemon.pid})` : "not running"} · `,
      h("span", { id: "paused-state" }, paused ? "paused" : "dispatching"),
      ` · open items ${status.openItems} · ready ${daemon.ready} · awaiting review ${daemon.awaitingReview} · vault waiting ${status.vaultWaiting}`,
      ` · cost today $${daemon.spent.today.toFixed(2)}`,
      typeof status.budget.day === "number" && status.budget.day > 0 ? ` of $${status.budget.day} a day` : "",
    ),
    h(
      "p",
      {},
      paused
        ? button("Resume the factory", () => void perform(tools, "resumed", () => post("factory/resume")), {
            "data-key": "resume",
          })
        : button("Pause the factory", () => void perform(tools, "paused", () => post("factory/pause")), {
            "data-key": "pause",
          }),
    ),
    section(
      "Roles",
      table(
        ["role", "kind", "state"],
        roles.map((role) => [
          role.name,
          role.kind,
          role.enabled ? (role.running ? "running" : "idle") : "disabled",
        ]),
        "roles (no factory here)",
      ),
    ),
    section(
      "In flight",
      table(
        ["run", "item", "state", "attempt", "role"],
        status.active.map((run) => [
          runLink(run),
          `#${run.itemId}`,
          stateBadge(run.state),
          `${run.attempt}/${run.maxFixAttempts + 1}`,
          run.role ?? "",
        ]),
        "runs at work",
      ),
    ),
    section(
      "Runs",
      table(
        ["state", "runs"],
        Object.entries(status.counts).map(([state, count]) => [stateBadge(state), count]),
        "runs yet",
      ),
    ),
    section(
      "Alerts",
      table(
        ["when", "what", "run", "detail"],
        status.alerts.map((event) => [
          time(event.at),
          event.type,
          event.runId ? runLink({ id: event.runId }) : "",
          summary(event),
        ]),
        "alerts",
      ),
    ),
  );
  return { node, after: status.lastEventId };
}

export async function board(): Promise<{ node: HTMLElement; after: number }> {
  const { lanes, items, lastEventId } = await get<{ lanes: string[]; items: Item[]; lastEventId: number }>(
    "items",
  );
  const node = h(
    "div",
    { class: "page" },
    h("h1", {}, "Board"),
    h(
      "div",
      { class: "lanes" },
      lanes.map((lane) => {
        const here = items.filter((item) => item.lane === lane);
        return h(
          "section",
          { class: "lane", "aria-label": lane },
          h("h2", {}, `${lane} (${here.length})`),
          h(
            "ul",
            {},
            here.map((item) =>
              h(
                "li",
                { class: "card", "data-item": String(item.id) },
                h("span", { class: "card-title" }, `#${item.id} ${item.title}`),
                item.run ? h("span", {}, runLink(item.run), " ", stateBadge(item.run.state)) : null,
              ),
            ),
          ),
        );
      }),
    ),
  );
  return { node, after: lastEventId };
}

const TRANSCRIPT = new Set([
  "agent.message",
  "agent.thought",
  "agent.plan",
  "agent.tool-call",
  "agent.permission",
  "agent.terminal",
  "agent.file-denied",
  "guard.denied",
  "sandbox.network-denied",
]);

async function runEvents(id: number): Promise<GafferEvent[]> {
  const events: GafferEvent[] = [];
  for (;;) {
    const page = await get<GafferEvent[]>(`runs/${id}/events?after=${events.at(-1)?.id ?? 0}`);
    events.push(...page);
    if (page.length < 1000) return events;
  }
}

export function timelineRow(event: GafferEvent): HTMLElement {
  return h(
    "li",
    { "data-event-id": String(event.id) },
    time(event.at),
    " ",
    h("code", {}, event.type),
    " ",
    summary(event),
  );
}

export async function runPage(id: number, tools: PageTools): Promise<{ node: HTMLElement; after: number }> {
  const [detail, events] = await Promise.all([get<RunDetail>(`runs/${id}`), runEvents(id)]);
  const { run } = detail;
  const working = ["preparing", "agent", "gating", "proposing"].includes(run.state);
  const discardable = ["proposed", "failed", "gave-up", "cancelled", "interrupted"].includes(run.state);
  const transcript = events.filter((event) => TRANSCRIPT.has(event.type));
  const node = h(
    "div",
    { class: "page run", "data-run": String(run.id) },
    h("h1", {}, `Run ${run.id} · #${detail.item.id} ${detail.item.title}`),
    h(
      "p",
      { class: "facts" },
      stateBadge(run.state),
      ` attempt ${run.attempt} of ${run.maxFixAttempts + 1} · agent ${run.agent} · branch ${run.branch}`,
      run.reason ? ` · ${run.reason}` : "",
      detail.usage.costUsd !== null ? ` · cost $${detail.usage.costUsd.toFixed(2)}` : "",
      ` · tokens ${detail.usage.inputTokens} in / ${detail.usage.outputTokens} out`,
    ),
    working
      ? h(
          "p",
          {},
          button(
            "Cancel this run",
            () => void perform(tools, `cancelling run ${run.id}`, () => post(`runs/${run.id}/cancel`)),
            { "data-key": "cancel" },
          ),
        )
      : null,
    discardable
      ? h(
          "p",
          {},
          button(
            "Discard this run's workspace",
            () =>
              void perform(
                tools,
                `run ${run.id} discarded; its work is kept in refs/gaffer/snapshots/${run.id}`,
                () => post(`runs/${run.id}/discard`),
              ),
            { "data-key": "discard" },
          ),
        )
      : null,
    section(
      "Gate evidence",
      table(
        ["attempt", "command", "exit", "time", "output"],
        detail.gate.map((step) => [
          step.attempt,
          h("code", {}, step.command),
          step.timedOut ? "timed out" : String(step.exitCode),
          `${(step.durationMs / 1000).toFixed(1)}s`,
          h("details", {}, h("summary", {}, "output"), h("pre", {}, step.output)),
        ]),
        "gate results yet",
      ),
    ),
    detail.proposal
      ? section(
          "Proposal",
          h(
            "p",
            {},
            `branch ${detail.proposal.branch} at ${detail.proposal.headCommit.slice(0, 12)} · review: ${detail.proposal.review ?? "not yet"}`,
          ),
          h("pre", {}, detail.proposal.diffStat),
        )
      : null,
    detail.reviews.length
      ? section(
          "Reviews",
          table(
            ["round", "verdict", "summary"],
            detail.reviews.map((r) => [r.round, r.verdict, r.summary]),
          ),
        )
      : null,
    section(
      "Transcript",
      transcript.length
        ? h("ol", { class: "transcript" }, transcript.map(timelineRow))
        : h("p", { class: "empty" }, "nothing said yet"),
    ),
    section("Timeline", h("ol", { class: "timeline", id: "timeline" }, events.map(timelineRow))),
  );
  return { node, after: events.at(-1)?.id ?? 0 };
}

export async function vault(tools: PageTools): Promise<{ node: HTMLElement; after: number }> {
  const [actions, status] = await Promise.all([get<VaultAction[]>("vault?all"), get<Status>("status")]);
  const waiting = actions.filter((a) => a.state === "pending");
  const decided = actions.filter((a) => a.state !== "pending");
  const card = (action: VaultAction) => {
    const { request } = action;
    const reason = h("input", {
      type: "text",
      "aria-label": `reason to reject ${request.id}`,
      placeholder: "reason (to reject)",
      "data-key": `reason-${request.id}`,
    }) as HTMLInputElement;
    const what = request.merge
      ? `merge ${request.merge.branch} into ${request.merge.into}: ${request.merge.files} files, ${request.merge.lines} lines`
      : `formula ${request.formula?.name ?? "?"}`;
    return h(
      "li",
      { class: "card", "data-action": request.id },
      h("h3", {}, `${request.id} · ${request.tier}`),
      h("p", {}, what),
      h("p", {}, `context: ${request.context}`),
      h(
        "p",
        {},
        `requested by ${request.requestedBy.identity ?? request.requestedBy.role}`,
        request.requestedBy.run ? [" for ", runLink({ id: request.requestedBy.run })] : "",
      ),
      h(
        "ul",
        { class: "reasons" },
        request.reasons.map((r) => h("li", {}, `${r.tier}: ${r.rule} — ${r.why}`)),
      ),
      h(
        "p",
        { class: "decide" },
        button(
          `Approve ${request.id}`,
          () => void perform(tools, `approved ${request.id}`, () => post(`vault/${request.id}/approve`)),
          { "data-key": `approve-${request.id}` },
        ),
        reason,
        button(
          `Reject ${request.id}`,
          () =>
            void perform(tools, `rejected ${request.id}`, () =>
              post(`vault/${request.id}/reject`, { reason: reason.value }),
            ),
          { "data-key": `reject-${request.id}` },
        ),
      ),
    );
  };
  const node = h(
    "div",
    { class: "page" },
    h("h1", {}, "Vault"),
    section(
      "Waiting",
      waiting.length
        ? h("ul", { class: "cards" }, waiting.map(card))
        : h("p", { class: "empty" }, "nothing waits in the vault"),
    ),
    section(
      "Decided",
      table(
        ["action", "tier", "state", "context"],
        decided.map((a) => [
          a.request.id,
          a.request.tier,
          h("span", { class: `badge vault-${a.state}` }, a.state),
          a.request.context,
        ]),
        "decided actions",
      ),
    ),
  );
  return { node, after: status.lastEventId };
}
