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
  /** null: not reviewed (yet); "approved" or "changes-requested". */
  review: string | null;
  createdAt: number;
}

export async function recordProposal(
  db: Db,
  proposal: Omit<Proposal, "createdAt" | "review">,
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
        created_at: now,
      })
      // A revised run proposes again: its proposal is replaced and awaits a fresh review.
      .onConflict((oc) =>
        oc.column("run_id").doUpdateSet((eb) => ({
          head_commit: eb.ref("excluded.head_commit"),
          commits: eb.ref("excluded.commits"),
          diff_stat: eb.ref("excluded.diff_stat"),
          evidence: eb.ref("excluded.evidence"),
          findings: eb.ref("excluded.findings"),
          sandbox: eb.ref("excluded.sandbox"),
          review: null,
          created_at: eb.ref("excluded.created_at"),
        })),
      )
      .execute();
    await appendEvent(
      trx,
      {
        runId: proposal.runId,
        itemId: proposal.itemId,
        type: "proposal.recorded",
        data: {
          branch: proposal.branch,
          head: proposal.headCommit,
          commits: proposal.commits.length,
          findings: proposal.findings.length,
          sandbox: proposal.sandbox,
        },
      },
      now,
    );
    return { ...proposal, review: null, createdAt: now };
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
    review: row.review,
    createdAt: Number(row.created_at),
  };
}
