import type { Item, Proposal, Review, UsageTotal } from "../store/index.ts";

/**
 * The body of a run's draft pull request: the evidence gaffer recorded itself — the gate's
 * commands with their exit codes and durations, the integrity findings, the review's verdict, the
 * cost — and the link back to the item and its issue. Text from the tracker or an agent is put in
 * code spans or quoted, never left to render as markup.
 */

export interface PullFacts {
  run: number;
  item: Item;
  /** The item's issue on the forge, when it has one: "Closes #N" links and closes it. */
  issue: { number: number; url: string } | undefined;
  proposal: Proposal;
  review: Review | undefined;
  usage: UsageTotal;
}

/** A hidden line naming the run, by which gaffer finds what it wrote on the forge before. */
export function publishMarker(run: number): string {
  return `<!-- gaffer:run:${run} -->`;
}

export function pullTitle(facts: PullFacts): string {
  return oneLine(facts.item.title) || `gaffer run ${facts.run}`;
}

export function pullBody(facts: PullFacts): string {
  const { proposal } = facts;
  return [
    publishMarker(facts.run),
    facts.issue ? `Closes #${facts.issue.number}.` : `gaffer item #${facts.item.id}.`,
    "",
    `Proposed by gaffer run ${facts.run} (item #${facts.item.id}): ${proposal.commits.length} commit${proposal.commits.length === 1 ? "" : "s"} on \`${proposal.baseCommit.slice(0, 12)}\`, head \`${proposal.headCommit.slice(0, 12)}\`. gaffer ran the gate itself; the agent's own claims are not evidence.`,
    "",
    "### Gate",
    "",
    "| check | command | exit | time |",
    "| --- | --- | --- | --- |",
    ...proposal.evidence.map(
      (e) =>
        `| ${cell(e.name)} | ${code(e.command)} | ${e.exitCode === null ? "killed" : e.exitCode} | ${seconds(e.durationMs)} |`,
    ),
    "",
    "### Integrity",
    "",
    ...(proposal.findings.length === 0
      ? ["No findings."]
      : proposal.findings.map(
          (f) => `- **${f.severity}** ${code(`${f.check}/${f.rule}`)}: ${code(f.message)}`,
        )),
    "",
    "### Review",
    "",
    facts.review
      ? `${facts.review.verdict} (round ${facts.review.round}, ${code(facts.review.role)}): ${code(facts.review.summary)}`
      : "Not reviewed.",
    "",
    "### Cost",
    "",
    cost(facts.usage),
    "",
    "### Commits",
    "",
    ...proposal.commits.map((c) => `- \`${c.sha.slice(0, 12)}\` ${code(c.subject)}`),
    "",
    "```",
    proposal.diffStat.replaceAll("```", "'''"),
    "```",
    ...(facts.issue ? ["", `Issue: ${facts.issue.url}`] : []),
  ].join("\n");
}

/** The comment on the issue that points to the pull request. */
export function issueComment(run: number, pull: { number: number; url: string }): string {
  return `${publishMarker(run)}\ngaffer run ${run} proposes a fix in draft pull request #${pull.number}: ${pull.url}`;
}

function cost(usage: UsageTotal): string {
  const tokens = `${usage.inputTokens} input, ${usage.outputTokens} output tokens over ${usage.attempts} attempt${usage.attempts === 1 ? "" : "s"}`;
  const unpriced = usage.unpriced > 0 ? ` (${usage.unpriced} unpriced)` : "";
  return `$${usage.costUsd.toFixed(2)}${unpriced}: ${tokens}.`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Text in a code span, whatever backticks and newlines it holds. */
function code(text: string): string {
  const flat = oneLine(text).replaceAll("|", "\\|");
  const fence = "`".repeat((flat.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0) + 1);
  return `${fence} ${flat} ${fence}`;
}

function cell(text: string): string {
  return oneLine(text).replace(/[|<>`*_[\]\\]/g, (c) => `\\${c}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
