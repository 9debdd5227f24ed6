import { GafferError } from "../errors.ts";
import { EVENTS } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";
import { moveRun, type Run, updateAttempt } from "./runs.ts";
import type { ReviewsTable } from "./schema.ts";

export interface ReviewFinding {
  file: string;
  line?: number;
  severity: "blocker" | "major" | "minor" | "nit";
  text: string;
}

export type Verdict = ReviewsTable["verdict"];

export interface Review {
  runId: number;
  round: number;
  role: string;
  headCommit: string;
  verdict: Verdict;
  summary: string;
  findings: ReviewFinding[];
  createdAt: number;
}

export async function listReviews(db: Db, runId: number): Promise<Review[]> {
  const rows = await db
    .selectFrom("reviews")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("round", "asc")
    .execute();
  return rows.map((row) => ({
    runId: row.run_id,
    round: row.round,
    role: row.role,
    headCommit: row.head_commit,
    verdict: row.verdict,
    summary: row.summary,
    findings: JSON.parse(row.findings) as ReviewFinding[],
    createdAt: Number(row.created_at),
  }));
}

/** What follows a request for changes: another builder round, or the end of the run. */
export type AfterChanges =
  { then: "revise"; feedback: string } | { then: "give-up"; reason: string; report: string };

/**
 * Records a verdict on a proposed run, in one transaction: approve marks the proposal ready for a
 * human; request-changes either turns the green attempt into the feedback for the next one and
 * moves the run to `revising`, from where a builder resumes it, or, with no rounds left, gives up.
 */
export async function recordReview(
  db: Db,
  run: Run,
  review: Omit<Review, "runId" | "createdAt">,
  /** Required when the verdict asks for changes. */
  after?: AfterChanges,
  now = Date.now(),
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("reviews")
      .values({
        run_id: run.id,
        round: review.round,
        role: review.role,
        head_commit: review.headCommit,
        verdict: review.verdict,
        summary: review.summary,
        findings: JSON.stringify(review.findings),
        created_at: now,
      })
      .execute();
    const approved = review.verdict === "approve";
    // Only the proposal the reviewer saw, still proposed and not yet judged, takes the verdict.
    const judged = await trx
      .updateTable("proposals")
      .set({ review: approved ? "approved" : "changes-requested" })
      .where("run_id", "=", run.id)
      .where("head_commit", "=", review.headCommit)
      .where("review", "is", null)
      .where((eb) =>
        eb.exists(
          eb.selectFrom("runs").select("id").where("id", "=", run.id).where("state", "=", "proposed"),
        ),
      )
      .executeTakeFirst();
    if (Number(judged.numUpdatedRows) === 0) {
      throw new GafferError(
        "lease-lost",
        `run ${run.id}: the proposal at ${review.headCommit.slice(0, 12)} is no longer awaiting a review`,
        "another reviewer or builder moved it on; check `gaffer runs`",
      );
    }
    const data = { round: review.round, role: review.role, findings: review.findings.length };
    const scope = { runId: run.id, itemId: run.itemId };
    if (approved) {
      await appendEvent(trx, scope, EVENTS.reviewApproved, data, now);
      return;
    }
    await appendEvent(trx, scope, EVENTS.reviewChangesRequested, data, now);
    if (!after) throw new Error("a request for changes needs what follows it");
    if (after.then === "give-up") {
      await moveRun(
        trx,
        run.id,
        "reject",
        {
          set: { reason: after.reason, reportPath: after.report },
          data: { reason: after.reason, report: after.report },
        },
        now,
      );
      return;
    }
    await updateAttempt(
      trx,
      run.id,
      run.attempt,
      { state: "changes-requested", feedback: after.feedback },
      now,
    );
    await moveRun(trx, run.id, "revise", { data }, now);
  });
}
