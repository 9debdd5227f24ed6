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
  createdAt: number;
}

export async function recordProposal(
  db: Db,
  proposal: Omit<Proposal, "createdAt">,
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
      .onConflict((oc) => oc.column("run_id").doNothing())
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
    return { ...proposal, createdAt: now };
  });
}

export async function findProposal(db: Db, runId: number): Promise<Proposal | undefined> {
  const row = await db.selectFrom("proposals").selectAll().where("run_id", "=", runId).executeTakeFirst();
  return row ? toProposal(row) : undefined;
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
    createdAt: Number(row.created_at),
  };
}
