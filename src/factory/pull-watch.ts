import { existsSync } from "node:fs";
import type { ReactionEvent } from "../config/index.ts";
import { type Project, secretRedactor } from "../engine/index.ts";
import { messageOf } from "../errors.ts";
import { compressCheck } from "../gate/index.ts";
import type { ForgePullState, PullConversation, Tracker } from "../intake/index.ts";
import {
  appendEvent,
  EVENTS,
  type Feedback,
  type FeedbackKind,
  findProposal,
  getRun,
  listFeedback,
  listRuns,
  markAnswered,
  type NewFeedback,
  receiveFeedback,
  reopenRun,
  type Run,
  settleFeedback,
  trackerLinkOf,
  updateWatchedPull,
  type WatchedPull,
  watchedPullOf,
  watchedPulls,
} from "../store/index.ts";
import { printable, runShell } from "../util/index.ts";
import { mergeByItself, openVault, publishByItself, type VaultContext } from "../vault/index.ts";
import { fetchForgeBranch, standingWith } from "../workspace/index.ts";

/**
 * Reactions: what happens on a published run's pull request goes back to that run. A pass reads
 * each watched pull request (one listing of the open ones, ETag-conditional on GitHub; reviews
 * and comments only of those that changed; checks only of heads with no verdict yet; the base
 * branch through git, which costs no API request), records everything new once (`forge_feedback`
 * and an `EVENTS.forgePullEvent` each), and reacts as `[reactions]` says: a failed check, a review or a
 * conflicting base re-opens the run on its kept workspace with that as its next attempt's brief,
 * at most `retries` times before it escalates (a label, a comment, `notify`); an approval with
 * green checks asks the vault to merge. Nothing is dropped without a recorded reason: what cannot
 * be acted on now (the run is busy, its revision is not published yet) waits as `new`.
 */
export class PullWatcher {
  readonly #project: Project;
  readonly #tracker: Tracker;
  #vault: VaultContext | undefined;
  #cloneUrl: string | undefined;

  constructor(project: Project, tracker: Tracker) {
    this.#project = project;
    this.#tracker = tracker;
  }

  get #db() {
    return this.#project.store.db;
  }

  get #reactions() {
    return this.#project.config.reactions;
  }

  #vaultContext(): VaultContext {
    this.#vault ??= { ...openVault(this.#project), tracker: this.#tracker };
    return this.#vault;
  }

  /**
   * What needs no forge read: proposals to publish (on-proposal, or a revision of a published
   * run), answers to the review comments a published revision addressed, and escalations of runs
   * a reaction re-opened that then ended without a new proposal. Cheap: the store, mostly.
   */
  async settle(): Promise<void> {
    await this.#publishDue();
    for (const pull of await watchedPulls(this.#db, this.#tracker.key)) {
      const run = await getRun(this.#db, pull.runId);
      await this.#escalateEnded(run, pull);
      await this.#answer(run, pull);
    }
  }

  /** Reads the watched pull requests on the forge and reacts; returns how many new things it saw. */
  async pass(): Promise<{ pulls: number; received: number }> {
    await this.settle();
    const watched = await watchedPulls(this.#db, this.#tracker.key);
    if (watched.length === 0) return { pulls: 0, received: 0 };
    const open = new Map((await this.#tracker.listOpenPulls()).map((pull) => [pull.number, pull]));
    const tips = new Map<string, Promise<string>>();
    let received = 0;
    for (const pull of watched) {
      const forgePull = open.get(pull.number) ?? (await this.#closedOrOpen(pull));
      if (!forgePull) continue;
      received += await this.#read(pull, forgePull, tips);
      await this.#react(
        await getRun(this.#db, pull.runId),
        (await watchedPullOf(this.#db, pull.runId)) ?? pull,
        forgePull,
      );
    }
    await this.settle();
    return { pulls: watched.length, received };
  }

  /** A watched pull request missing from the open ones: merged or closed (then no longer watched), or just listed late. */
  async #closedOrOpen(pull: WatchedPull): Promise<ForgePullState | undefined> {
    const now = await this.#tracker.getPull(pull.number);
    if (now && now.state === "open") return { ...now, updatedAt: "" };
    const merged = now?.merged === true;
    await updateWatchedPull(this.#db, pull.runId, { state: merged ? "merged" : "closed" });
    await appendEvent(this.#db, { runId: pull.runId, itemId: pull.itemId }, EVENTS.reactionPullClosed, {
      pull: pull.number,
      merged,
    });
    return undefined;
  }

  /**
   * Records what is new on the pull request: reviews and comments, the head's checks, the base.
   * Everything is read first and recorded after, feedback before the marks of what was read: a
   * forge that fails part-way (a 500, a rate limit gaffer cannot wait out) leaves nothing marked
   * as seen that was not recorded, so the next pass reads it again and nothing is lost.
   */
  async #read(
    pull: WatchedPull,
    forgePull: ForgePullState,
    tips: Map<string, Promise<string>>,
  ): Promise<number> {
    const entries: NewFeedback[] = [];
    const seen: Parameters<typeof updateWatchedPull>[2] = {};
    const notes: { kind: string; key: string; head: string }[] = [];
    if (forgePull.updatedAt === "" || forgePull.updatedAt !== pull.seenUpdated) {
      const readAt = Date.now();
      const conversation = await this.#tracker.pullConversation(pull.number);
      entries.push(...feedbackOf(conversation, await this.#tracker.claimant(), forgePull.headSha));
      // Forges stamp updates to the second, and a review can land later in the second this read
      // began in without changing the stamp: only a read that began after that second marks it seen.
      if (readAt >= Date.parse(forgePull.updatedAt) + 1000) seen.seenUpdated = forgePull.updatedAt;
    }
    const head = forgePull.headSha;
    if (head !== pull.ciHead || pull.ciVerdict === null || pull.ciVerdict === "none") {
      const checks = await this.#tracker.listChecks(head);
      const failing = checks.filter((check) => check.state === "failure");
      const verdict =
        failing.length > 0
          ? "failure"
          : checks.length === 0
            ? "none"
            : checks.every((check) => check.state === "success")
              ? "success"
              : null;
      if (verdict === "failure") {
        const parts: string[] = [];
        for (const check of failing) {
          const log = await this.#tracker.checkLog(check);
          parts.push(compressCheck({ ...check, log }, this.#reactions.logBytes));
        }
        entries.push({
          key: `ci:${head}`,
          kind: "ci-failed",
          head,
          author: null,
          body: parts.join("\n\n"),
          location: failing.map((check) => check.name).join(", "),
          url: failing[0]?.url ?? null,
        });
      } else if (verdict === "success" && !(pull.ciHead === head && pull.ciVerdict === "success")) {
        notes.push({ kind: "ci-passed", key: `ci:${head}`, head });
      }
      seen.ciHead = head;
      seen.ciVerdict = verdict;
    }
    const proposal = await findProposal(this.#db, pull.runId);
    if (proposal && this.#reactions["merge-conflict"].action !== "ignore") {
      let tip = tips.get(pull.base);
      if (!tip) {
        tip = this.#baseTip(pull.base);
        tips.set(pull.base, tip);
      }
      const both = `${await tip} ${proposal.headCommit}`;
      if (both !== pull.baseTip) {
        const base = await tip;
        const standing = await standingWith(this.#project.root, base, proposal.headCommit);
        const moved = !standing.upToDate;
        if (
          moved &&
          (standing.conflicts.length > 0 || this.#reactions["merge-conflict"].on === "base-moved")
        ) {
          entries.push({
            key: `base:${base}:${proposal.headCommit}`,
            kind: "merge-conflict",
            head: proposal.headCommit,
            author: null,
            body:
              standing.conflicts.length > 0
                ? `${pull.base} moved to ${base} and conflicts with the proposal in: ${standing.conflicts.join(", ")}`
                : `${pull.base} moved to ${base}`,
            location: base,
            url: null,
          });
        } else if (moved) {
          notes.push({ kind: "base-moved", key: `base:${base}`, head: proposal.headCommit });
        }
        seen.baseTip = both;
      }
    }
    const received = await receiveFeedback(this.#db, pull, await this.#redacted(entries));
    for (const note of notes) {
      await appendEvent(this.#db, { runId: pull.runId, itemId: pull.itemId }, EVENTS.forgePullEvent, {
        pull: pull.number,
        ...note,
        author: null,
      });
    }
    if (Object.keys(seen).length > 0) await updateWatchedPull(this.#db, pull.runId, seen);
    return received.length;
  }

  /**
   * What people and CI wrote, with every secret gaffer knows (the tracker's token, the webhook's
   * secret, the project's credentials) and every well-known token replaced by [redacted] before it
   * is stored: a CI job that prints a token must not hand it to the agent, a report or the forge.
   */
  async #redacted(entries: NewFeedback[]): Promise<NewFeedback[]> {
    if (entries.length === 0) return entries;
    const redact = await secretRedactor(this.#project);
    return entries.map((entry) => ({
      ...entry,
      body: redact(entry.body),
      location: entry.location === null ? null : redact(entry.location),
    }));
  }

  async #baseTip(branch: string): Promise<string> {
    this.#cloneUrl ??= (await this.#tracker.repository()).cloneUrl;
    const authorization = await this.#tracker.gitAuthorization();
    return fetchForgeBranch(this.#project.root, { url: this.#cloneUrl, authorization }, branch);
  }

  /** Acts on what waits for the run, one reaction at a time: a conflicting base first, then checks, then reviews. */
  async #react(run: Run, pull: WatchedPull, forgePull: ForgePullState): Promise<void> {
    const pending = await listFeedback(this.#db, run.id, { state: "new" });
    const approvals = pending.filter((f) => f.kind === "approved");
    await settleFeedback(this.#db, run.id, keys(approvals), {
      state: "skipped",
      reason: "an approval: it counts toward approved-and-green",
    });
    const chatter = pending.filter((f) => f.location === "conversation");
    await this.#skip(
      run,
      pull,
      "comment",
      chatter,
      "a comment on the conversation: only reviews and comments on the diff go to the agent",
    );
    const waiting = pending.filter((f) => f.kind !== "approved" && !chatter.includes(f));
    if (!["proposed", "gave-up", "failed"].includes(run.state)) return; // busy: it waits as new
    if (!existsSync(run.workspace)) {
      await this.#skip(run, pull, "any", waiting, `run ${run.id}'s workspace is gone (${run.state})`);
      return;
    }
    const proposal = await findProposal(this.#db, run.id);
    if (!proposal) return;
    if (forgePull.headSha !== proposal.headCommit) {
      // A revision that is not published yet waits; a head gaffer never pushed is someone else's.
      if (forgePull.headSha !== pull.head)
        await this.#skip(
          run,
          pull,
          "any",
          waiting,
          `the pull request's head ${forgePull.headSha.slice(0, 12)} is not gaffer's: someone else pushed to ${forgePull.head}`,
        );
      return;
    }
    const stale = waiting.filter(
      (f) => (f.kind === "ci-failed" || f.kind === "merge-conflict") && f.head !== proposal.headCommit,
    );
    await this.#skip(run, pull, "stale", stale, "stale: it was about a head the pull request no longer has");
    const current = waiting.filter((f) => !stale.includes(f));
    const conflict = current.filter((f) => f.kind === "merge-conflict").slice(-1);
    const ci = current.filter((f) => f.kind === "ci-failed");
    const reviews = current.filter((f) => f.kind === "changes-requested" || f.kind === "review-comment");
    if (conflict.length > 0) return this.#act(run, pull, "merge-conflict", conflict);
    if (ci.length > 0) return this.#act(run, pull, "ci-failed", ci);
    if (reviews.length > 0) return this.#act(run, pull, "changes-requested", reviews);
    if (run.state === "proposed") await this.#approvedAndGreen(run, pull, forgePull);
  }

  async #act(run: Run, pull: WatchedPull, event: ReactionEvent, rows: Feedback[]): Promise<void> {
    const reaction = this.#reactions[event];
    if (reaction.action === "ignore") {
      await this.#skip(run, pull, event, rows, `[reactions.${event}] action = "ignore"`);
      return;
    }
    if (reaction.action === "notify") {
      await this.#escalate(run, pull, event, rows, `[reactions.${event}] action = "notify"`);
      return;
    }
    const kinds = KINDS[event];
    const rounds = new Set(
      (await listFeedback(this.#db, run.id, { state: "sent", kinds })).map((f) => f.attempt),
    ).size;
    if (rounds >= reaction.retries) {
      await this.#escalate(
        run,
        pull,
        event,
        rows,
        `${event}: gaffer already sent it to the agent ${rounds} time(s) ([reactions.${event}] retries = ${reaction.retries})`,
      );
      return;
    }
    const [kind, feedback] = briefOf(event, rows);
    const onto = event === "merge-conflict" ? (rows[0]?.location ?? undefined) : undefined;
    await reopenRun(this.#db, run, {
      reason: event,
      pull: pull.number,
      keys: keys(rows),
      feedback,
      feedbackKind: kind,
      ...(onto !== undefined && { rebaseOnto: onto }),
    });
  }

  /** An approval of the head (nobody's latest review asking for changes) with green checks. */
  async #approvedAndGreen(run: Run, pull: WatchedPull, forgePull: ForgePullState): Promise<void> {
    const reaction = this.#reactions["approved-and-green"];
    const green =
      pull.ciHead === forgePull.headSha &&
      (pull.ciVerdict === "success" || (pull.ciVerdict === "none" && !reaction.requireChecks));
    if (!green) return;
    const reviews = await listFeedback(this.#db, run.id, { kinds: ["approved", "changes-requested"] });
    const latest = new Map<string, Feedback>();
    for (const review of reviews) if (review.author) latest.set(review.author, review);
    const verdicts = [...latest.values()];
    const approved =
      verdicts.some((r) => r.kind === "approved" && r.head === forgePull.headSha) &&
      verdicts.every((r) => r.kind === "approved");
    if (!approved) return;
    const key = `approved-and-green:${forgePull.headSha}`;
    const [row] = await receiveFeedback(this.#db, pull, [
      {
        key,
        kind: "approved",
        head: forgePull.headSha,
        author: null,
        body: "approved, and its checks are green",
        location: null,
        url: pull.url,
      },
    ]);
    if (!row) return; // acted on once for this head already
    if (reaction.action === "ignore") {
      await this.#skip(
        run,
        pull,
        "approved-and-green",
        [row],
        `[reactions.approved-and-green] action = "ignore"`,
      );
      return;
    }
    if (reaction.action === "notify") {
      const notified = await this.#notify(
        run,
        pull,
        "approved-and-green",
        `pull request #${pull.number} is approved and green: ${pull.url}`,
      );
      await settleFeedback(this.#db, run.id, [key], {
        state: "skipped",
        reason: notified ? "notified" : "approved and green; [reactions] notify is not set",
      });
      return;
    }
    const asked = await mergeByItself(
      this.#vaultContext(),
      run.id,
      `merge pull request #${pull.number} (${pull.url}): approved, and its checks are green`,
    );
    if (!asked.requested) {
      await this.#skip(run, pull, "approved-and-green", [row], `no merge asked: ${asked.reason}`);
      return;
    }
    await settleFeedback(this.#db, run.id, [key], { state: "sent", reason: asked.action.request.id });
    await appendEvent(this.#db, { runId: run.id, itemId: run.itemId }, EVENTS.reactionMergeRequested, {
      pull: pull.number,
      action: asked.action.request.id,
      tier: asked.action.request.tier,
      state: asked.action.result
        ? `${asked.action.state} (exit ${asked.action.result.exit_code})`
        : asked.action.state,
    });
  }

  async #skip(run: Run, pull: WatchedPull, kind: string, rows: Feedback[], reason: string): Promise<void> {
    if (rows.length === 0) return;
    await settleFeedback(this.#db, run.id, keys(rows), { state: "skipped", reason });
    await appendEvent(this.#db, { runId: run.id, itemId: run.itemId }, EVENTS.reactionSkipped, {
      pull: pull.number,
      kind,
      keys: keys(rows),
      reason,
    });
  }

  /**
   * Hands the pull request to a human, once per piece of feedback: the issue (or, for an item
   * with no issue, the pull request) gets the escalation label, the pull request a comment saying
   * why, and `[reactions] notify` runs.
   */
  async #escalate(
    run: Run,
    pull: WatchedPull,
    event: string,
    rows: Feedback[],
    reason: string,
  ): Promise<void> {
    const label = this.#reactions.escalateLabel;
    const link = await trackerLinkOf(this.#db, run.itemId);
    const target = link?.tracker === this.#tracker.key ? link.number : pull.number;
    await this.#tracker.addLabels(target, [label]);
    const marker = `<!-- gaffer:escalated:${run.id}:${rows[0]?.key ?? event} -->`;
    const said = (await this.#tracker.listComments(pull.number)).some((c) => c.body.startsWith(marker));
    if (!said) {
      await this.#tracker.comment(
        pull.number,
        `${marker}\ngaffer stops reacting to this and hands it to a human: ${reason}.\n\nLabelled \`${label}\`; remove the label once it is settled.`,
      );
    }
    const notified = await this.#notify(
      run,
      pull,
      event,
      `escalated pull request #${pull.number}: ${reason}`,
    );
    await settleFeedback(this.#db, run.id, keys(rows), { state: "escalated", reason });
    await appendEvent(this.#db, { runId: run.id, itemId: run.itemId }, EVENTS.reactionEscalated, {
      pull: pull.number,
      kind: event,
      reason,
      label,
      notified,
    });
  }

  /** Runs `[reactions] notify` with what happened in its environment; false when none is set. */
  async #notify(run: Run, pull: WatchedPull, event: string, summary: string): Promise<boolean> {
    const command = this.#reactions.notify;
    if (!command) return false;
    const line = printable(summary);
    const result = await runShell(command, {
      cwd: this.#project.root,
      env: {
        ...process.env,
        GAFFER_REACTION: event,
        GAFFER_RUN: String(run.id),
        GAFFER_PULL: String(pull.number),
        GAFFER_PULL_URL: pull.url,
        GAFFER_REACTION_SUMMARY: line,
      },
      timeoutMs: 30_000,
    });
    await appendEvent(this.#db, { runId: run.id, itemId: run.itemId }, EVENTS.reactionNotified, {
      pull: pull.number,
      kind: event,
      summary: line,
      exitCode: result.exitCode,
    });
    return true;
  }

  /** A run a reaction re-opened that then gave up or failed: what it was sent goes to a human. */
  async #escalateEnded(run: Run, pull: WatchedPull): Promise<void> {
    if (run.state !== "gave-up" && run.state !== "failed") return;
    const sent = (await listFeedback(this.#db, run.id, { state: "sent" })).filter(
      (f) => f.attempt !== null && f.attempt <= run.attempt && f.kind !== "approved",
    );
    if (sent.length === 0) return;
    const why = `run ${run.id} ${run.state === "gave-up" ? "gave up" : "failed"} on it${run.reason ? ` (${run.reason.split("\n")[0]})` : ""}`;
    await this.#escalate(run, pull, sent[0]?.kind ?? "reaction", sent, why);
  }

  /**
   * Once a revision that addressed review comments is published, gaffer answers them: one comment
   * on the pull request naming each, found again by its marker so it is never posted twice.
   */
  async #answer(run: Run, pull: WatchedPull): Promise<void> {
    if (run.state !== "proposed" || pull.state !== "open") return;
    const proposal = await findProposal(this.#db, run.id);
    if (!proposal || proposal.headCommit !== pull.head) return;
    const addressed = (
      await listFeedback(this.#db, run.id, { state: "sent", kinds: KINDS["changes-requested"] })
    ).filter((f) => !f.answered && f.attempt !== null && f.attempt <= run.attempt);
    if (addressed.length === 0) return;
    const marker = `<!-- gaffer:answered:${run.id}:${proposal.headCommit} -->`;
    const found = (await this.#tracker.listComments(pull.number)).some((c) => c.body.startsWith(marker));
    if (!found) {
      const lines = addressed.map((f) => {
        const where = f.location ? ` on \`${f.location}\`` : "";
        const first = oneLine(f.body).slice(0, 120);
        return `- @${f.author ?? "someone"}${where}: ${code(first)}${f.url ? ` (${f.url})` : ""}`;
      });
      await this.#tracker.comment(
        pull.number,
        [
          marker,
          `gaffer run ${run.id} addressed these in ${proposal.headCommit.slice(0, 12)} (attempt ${run.attempt}, gate green):`,
          "",
          ...lines,
        ].join("\n"),
      );
    }
    await markAnswered(this.#db, run.id, keys(addressed));
    await appendEvent(this.#db, { runId: run.id, itemId: run.itemId }, EVENTS.reactionAnswered, {
      pull: pull.number,
      comments: addressed.length,
      head: proposal.headCommit,
      found,
    });
  }

  /**
   * Proposals that should be on the forge and are not: every new proposal with
   * `[tracker] publish = "on-proposal"`, and a revision of a run whose pull request is open.
   */
  async #publishDue(): Promise<void> {
    const onProposal = this.#project.config.tracker?.publish === "on-proposal";
    for (const run of await listRuns(this.#db, { states: ["proposed"] })) {
      const pull = await watchedPullOf(this.#db, run.id);
      if (pull && pull.state !== "open") continue;
      if (!pull && !onProposal) continue;
      const proposal = await findProposal(this.#db, run.id);
      if (!proposal || proposal.headCommit === pull?.head) continue;
      const why = pull ? `a revision of pull request #${pull.number}` : "on-proposal";
      await publishByItself(this.#vaultContext(), run.id, why).catch((error: unknown) =>
        appendEvent(this.#db, { runId: run.id, itemId: run.itemId }, EVENTS.supervisorError, {
          vault: `publishing run ${run.id}: ${messageOf(error)}`,
        }),
      );
    }
  }
}

/** The feedback kinds each reaction sends, for counting its rounds. */
const KINDS: Record<ReactionEvent, Feedback["kind"][]> = {
  "ci-failed": ["ci-failed"],
  "changes-requested": ["changes-requested", "review-comment"],
  "merge-conflict": ["merge-conflict"],
  "approved-and-green": ["approved"],
};

/**
 * What people said, as feedback: a review asking for changes (with its comments on the diff), an
 * approval, a review's or a lone comment on the diff. gaffer's own comments are left out;
 * conversation comments are recorded but do not go to the agent (only reviews do).
 */
export function feedbackOf(conversation: PullConversation, me: string, head: string): NewFeedback[] {
  const entries: NewFeedback[] = [];
  const byReview = new Map<number, typeof conversation.reviewComments>();
  for (const comment of conversation.reviewComments) {
    if (comment.reviewId === null) continue;
    byReview.set(comment.reviewId, [...(byReview.get(comment.reviewId) ?? []), comment]);
  }
  const inReviews = new Set<number>();
  for (const review of conversation.reviews) {
    if (review.author === me) continue;
    const lines = byReview.get(review.id) ?? [];
    for (const line of lines) inReviews.add(line.id);
    if (review.state === "approved") {
      entries.push({
        key: `review:${review.id}`,
        kind: "approved",
        head: review.commit,
        author: review.author,
        body: review.body,
        location: null,
        url: review.url,
      });
      continue;
    }
    if (review.state !== "changes-requested" && review.state !== "commented") continue;
    if (review.state === "commented" && review.body.trim() === "" && lines.length === 0) continue;
    entries.push({
      key: `review:${review.id}`,
      kind: review.state === "changes-requested" ? "changes-requested" : "review-comment",
      head: review.commit || head,
      author: review.author,
      body: [
        review.body.trim(),
        ...lines.map((c) => `${c.path}${c.line ? `:${c.line}` : ""}: ${c.body.trim()}`),
      ]
        .filter(Boolean)
        .join("\n"),
      location: null,
      url: review.url,
    });
  }
  for (const comment of conversation.reviewComments) {
    if (inReviews.has(comment.id) || comment.author === me) continue;
    entries.push({
      key: `review-comment:${comment.id}`,
      kind: "review-comment",
      head,
      author: comment.author,
      body: comment.body,
      location: `${comment.path}${comment.line ? `:${comment.line}` : ""}`,
      url: comment.url,
    });
  }
  for (const comment of conversation.comments) {
    if (comment.author === me || comment.body.startsWith("<!-- gaffer:")) continue;
    entries.push({
      key: `comment:${comment.id}`,
      kind: "review-comment",
      head,
      author: comment.author ?? null,
      body: comment.body,
      location: "conversation",
      url: comment.url ?? null,
    });
  }
  return entries;
}

/** The next attempt's brief for a reaction: where it goes (failure, review, note) and its text. */
function briefOf(event: ReactionEvent, rows: Feedback[]): [FeedbackKind, string] {
  if (event === "ci-failed") {
    return ["ci", rows.map((f) => f.body).join("\n\n")];
  }
  if (event === "merge-conflict") return ["rebase", ""];
  return [
    "review",
    rows
      .map((f) => {
        const who = f.author ? `@${f.author}` : "a reviewer";
        const where = f.location && f.location !== "conversation" ? ` on ${f.location}` : "";
        const what = f.kind === "changes-requested" ? "requested changes" : "commented";
        return `- ${who} ${what}${where}:\n${indent(f.body)}`;
      })
      .join("\n"),
  ];
}

function keys(rows: readonly Feedback[]): string[] {
  return rows.map((f) => f.key);
}

function indent(text: string): string {
  return text
    .trim()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function code(text: string): string {
  const fence = "`".repeat((text.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0) + 1);
  return `${fence} ${text} ${fence}`;
}
