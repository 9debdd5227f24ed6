import { get, post } from "./api.ts";
import { button, h, section, table } from "./dom.ts";
import { diffLine } from "./highlight.ts";
import { type PageTools, perform, stateBadge, timelineRow } from "./parts.ts";
import type { GafferEvent, RunDetail } from "./types.ts";
import { virtualList } from "./virtual.ts";

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
const WORKING = ["preparing", "agent", "gating", "proposing"];
const DISCARDABLE = ["proposed", "failed", "gave-up", "cancelled", "interrupted"];
const RESUMABLE = ["cancelled", "interrupted", "failed"];
const REQUEUEABLE = ["gave-up", "failed", "discarded"];
const EVENT_PAGE = 1000;

/** The run's events read so far: a redraw asks only for the ones after them. */
let events: { run: number; list: GafferEvent[] } = { run: 0, list: [] };
/** The diff of the proposal last shown, by its head commit: it never changes. */
let diff: { head: string; lines: string[]; truncated: boolean } | undefined;

async function runEvents(id: number): Promise<GafferEvent[]> {
  if (events.run !== id) events = { run: id, list: [] };
  const list = events.list;
  for (;;) {
    const page = await get<GafferEvent[]>(`runs/${id}/events?after=${list.at(-1)?.id ?? 0}`);
    list.push(...page);
    if (page.length < EVENT_PAGE) return list;
  }
}

async function proposalDiff(id: number, head: string): Promise<NonNullable<typeof diff>> {
  if (diff?.head !== head)
    diff = { head, ...(await get<{ lines: string[]; truncated: boolean }>(`runs/${id}/diff`)) };
  return diff;
}

function act(tools: PageTools, label: string, done: string, path: string, key: string): HTMLElement {
  return button(label, () => void perform(tools, done, () => post(path)), { "data-key": key });
}

function actions(detail: RunDetail, tools: PageTools): HTMLElement {
  const { run } = detail;
  return h(
    "p",
    { class: "decide" },
    WORKING.includes(run.state) &&
      act(tools, "Cancel this run", `cancelling run ${run.id}`, `runs/${run.id}/cancel`, "cancel"),
    RESUMABLE.includes(run.state) &&
      act(tools, "Resume this run", `resuming run ${run.id}`, `runs/${run.id}/resume`, "resume-run"),
    REQUEUEABLE.includes(run.state) &&
      act(
        tools,
        `Re-queue item #${run.itemId}`,
        `item #${run.itemId} re-queued`,
        `items/${run.itemId}/requeue`,
        "requeue",
      ),
    DISCARDABLE.includes(run.state) &&
      act(
        tools,
        "Discard this run's workspace",
        `run ${run.id} discarded; its work is kept in refs/gaffer/snapshots/${run.id}`,
        `runs/${run.id}/discard`,
        "discard",
      ),
  );
}

function costLine(detail: RunDetail): string {
  const { usage } = detail;
  const cost = usage.costUsd > 0 || usage.unpriced === 0 ? `$${usage.costUsd.toFixed(4)}` : "unpriced";
  return `cost ${cost} · tokens ${usage.inputTokens} in / ${usage.outputTokens} out / ${usage.cachedTokens} cached · ${usage.attempts} turns`;
}

function findingsSection(detail: RunDetail): HTMLElement {
  return section(
    "Integrity findings",
    table(
      ["severity", "check", "rule", "finding"],
      detail.findings.map((f) => [
        h("span", { class: `badge severity-${f.severity}` }, f.severity),
        f.check,
        f.rule,
        f.message,
      ]),
      "integrity findings",
    ),
  );
}

function reviewsSection(detail: RunDetail): HTMLElement | null {
  if (detail.reviews.length === 0) return null;
  return section(
    "Review",
    detail.reviews.map((review) =>
      h(
        "div",
        { class: "review" },
        h(
          "p",
          {},
          `round ${review.round} by ${review.role}: `,
          h(
            "span",
            { class: `badge verdict-${review.verdict}` },
            review.verdict === "approve" ? "approved" : "changes requested",
          ),
          review.summary ? ` — ${review.summary}` : "",
        ),
        table(
          ["severity", "where", "finding"],
          review.findings.map((f) => [
            f.severity,
            `${f.file}${f.line !== undefined ? `:${f.line}` : ""}`,
            f.text,
          ]),
          "findings",
        ),
      ),
    ),
  );
}

async function diffSection(detail: RunDetail): Promise<HTMLElement | null> {
  if (!detail.proposal) return null;
  const { lines, truncated } = await proposalDiff(detail.run.id, detail.proposal.headCommit);
  return section(
    `Diff (${lines.length} lines)`,
    h("pre", { class: "stat" }, detail.proposal.diffStat),
    lines.length ? virtualList(`diff-${detail.run.id}`, lines, diffLine, "the diff") : null,
    truncated ? h("p", { class: "empty" }, "cut here: `git diff` shows the rest") : null,
  );
}

export async function runPage(id: number, tools: PageTools): Promise<{ node: HTMLElement; after: number }> {
  const [detail, all] = await Promise.all([get<RunDetail>(`runs/${id}`), runEvents(id)]);
  const { run } = detail;
  const transcript = all.filter((event) => TRANSCRIPT.has(event.type));
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
    ),
    h("p", { class: "facts cost" }, costLine(detail)),
    actions(detail, tools),
    detail.report
      ? section(
          "Failure report",
          h("pre", { class: "report" }, detail.report.text),
          detail.report.truncated ? h("p", { class: "empty" }, "cut here: the file holds the rest") : null,
        )
      : null,
    findingsSection(detail),
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
        )
      : null,
    reviewsSection(detail),
    await diffSection(detail),
    section(
      `Transcript (${transcript.length})`,
      transcript.length
        ? virtualList(`transcript-${run.id}`, transcript, timelineRow, "the transcript", true)
        : h("p", { class: "empty" }, "nothing said yet"),
    ),
    section(
      `Timeline (${all.length})`,
      virtualList(`timeline-${run.id}`, all, timelineRow, "the timeline", true),
    ),
  );
  node.querySelector('[data-key^="transcript-"]')?.classList.add("transcript");
  node.querySelector('[data-key^="timeline-"]')?.classList.add("timeline");
  return { node, after: all.at(-1)?.id ?? 0 };
}
