import { EVENTS } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";
import type { ProposalRow } from "./schema.ts";

export interface CommitSummary {
  sha: string;
  subject: string;
  author: string;
}

export interface GateEvidence {
  name: string;
  command: string;
  exitCode: number | null;
  durationMs: number;
  outputSha256: string;
}

/**
 * What the gate of a proposal saw, so a reviewer can reproduce it: a fresh checkout of `tree` with
 * a fresh HOME and /tmp, these variables, and these setup steps run there.
 */
export interface GateEnvironment {
  tree: string;
  /** How the gate was confined: "bwrap", or "none: <why>". */
  sandbox: string;
  /** Names of the variables passed through from gaffer's environment (their values are not kept). */
  passed: string[];
  /** Variables gaffer set, with their values. */
  set: Record<string, string>;
  /** The setup run in the checkout, in order: "copy <path>" and the setup commands. */
  setup: string[];
  /** Caches reused from earlier runs; empty: every gate starts from the checkout alone. */
  caches: string[];
}

/** What gaffer's post-run verification found (see guard/integrity). */
export interface ProposalFinding {
  check: string;
  rule: string;
  severity: "block" | "flag";
  message: string;
  evidence: Record<string, unknown>;
}

export interface Proposal {
  runId: number;
  itemId: number;
  branch: string;
  baseCommit: string;
  headCommit: string;
  commits: CommitSummary[];
  diffStat: string;
  evidence: GateEvidence[];
  findings: ProposalFinding[];
  sandbox: string;
  /** The tree the gate ran on, the checks read and the head holds; null on proposals from before it was kept. */
  tree: string | null;
  environment: GateEnvironment | null;
  /** null: not reviewed (yet); "approved" or "changes-requested". */
  review: string | null;
  createdAt: number;
}

export async function recordProposal(
  db: Db,
  proposal: Omit<Proposal, "createdAt" | "review" | "tree" | "environment"> &
    Partial<Pick<Proposal, "tree" | "environment">>,
  now = Date.now(),
): Promise<Proposal> {
  return inTransaction(db, async (trx) => {
    await trx
      .insertInto("proposals")
      .values({
        run_id: proposal.runId,
        item_id: proposal.itemId,
        branch: proposal.branch,
        base_commit: proposal.baseCommit,
        head_commit: proposal.headCommit,
        commits: JSON.stringify(proposal.commits),
        diff_stat: proposal.diffStat,
        evidence: JSON.stringify(proposal.evidence),
        findings: JSON.stringify(proposal.findings),
        sandbox: proposal.sandbox,
        tree: proposal.tree ?? null,
        environment: proposal.environment ? JSON.stringify(proposal.environment) : null,
        created_at: now,
      })
      // A revised run proposes again: its proposal is replaced and awaits a fresh review.
      .onConflict((oc) =>
        oc.column("run_id").doUpdateSet((eb) => ({
          // A rebase (a reaction to a moved base) proposes on the new base.
          base_commit: eb.ref("excluded.base_commit"),
          head_commit: eb.ref("excluded.head_commit"),
          commits: eb.ref("excluded.commits"),
          diff_stat: eb.ref("excluded.diff_stat"),
          evidence: eb.ref("excluded.evidence"),
          findings: eb.ref("excluded.findings"),
          sandbox: eb.ref("excluded.sandbox"),
          tree: eb.ref("excluded.tree"),
          environment: eb.ref("excluded.environment"),
          review: null,
          created_at: eb.ref("excluded.created_at"),
        })),
      )
      .execute();
    await appendEvent(
      trx,
      { runId: proposal.runId, itemId: proposal.itemId },
      EVENTS.proposalRecorded,
      {
        branch: proposal.branch,
        head: proposal.headCommit,
        commits: proposal.commits.length,
        findings: proposal.findings.length,
        sandbox: proposal.sandbox,
        ...(proposal.tree && { tree: proposal.tree }),
      },
      now,
    );
    return {
      ...proposal,
      tree: proposal.tree ?? null,
      environment: proposal.environment ?? null,
      review: null,
      createdAt: now,
    };
  });
}

export async function findProposal(db: Db, runId: number): Promise<Proposal | undefined> {
  const row = await db.selectFrom("proposals").selectAll().where("run_id", "=", runId).executeTakeFirst();
  return row ? toProposal(row) : undefined;
}

/** The runs among `runIds` whose proposal awaits a review (it exists and has no verdict yet). */
export async function unreviewedProposals(db: Db, runIds: readonly number[]): Promise<Set<number>> {
  const unreviewed = new Set<number>();
  for (let start = 0; start < runIds.length; start += 500) {
    const rows = await db
      .selectFrom("proposals")
      .select("run_id")
      .where("review", "is", null)
      .where("run_id", "in", runIds.slice(start, start + 500))
      .execute();
    for (const row of rows) unreviewed.add(row.run_id);
  }
  return unreviewed;
}

/** The runs among `runIds` whose proposal a reviewer approved. */
export async function approvedProposals(db: Db, runIds: readonly number[]): Promise<Set<number>> {
  const approved = new Set<number>();
  for (let start = 0; start < runIds.length; start += 500) {
    const rows = await db
      .selectFrom("proposals")
      .select("run_id")
      .where("review", "=", "approved")
      .where("run_id", "in", runIds.slice(start, start + 500))
      .execute();
    for (const row of rows) approved.add(row.run_id);
  }
  return approved;
}

function toProposal(row: ProposalRow): Proposal {
  return {
    runId: row.run_id,
    itemId: row.item_id,
    branch: row.branch,
    baseCommit: row.base_commit,
    headCommit: row.head_commit,
    commits: JSON.parse(row.commits) as CommitSummary[],
    diffStat: row.diff_stat,
    evidence: JSON.parse(row.evidence) as GateEvidence[],
    findings: JSON.parse(row.findings) as ProposalFinding[],
    sandbox: row.sandbox,
    tree: row.tree,
    environment: row.environment ? (JSON.parse(row.environment) as GateEnvironment) : null,
    review: row.review,
    createdAt: Number(row.created_at),
  };
}
