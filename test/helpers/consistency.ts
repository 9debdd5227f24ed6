import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";

/**
 * Checks the store the way a crash could break it: SQLite's own integrity, and every run's row
 * agreeing with its event log (its state is the state of its last state-bearing event).
 */
export function assertStoreConsistent(databasePath: string): void {
  const db = new DatabaseSync(databasePath, { readOnly: true });
  try {
    assert.equal(
      (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
      "ok",
    );
    const runs = db.prepare("SELECT id, state, attempt FROM runs").all() as {
      id: number;
      state: string;
      attempt: number;
    }[];
    for (const run of runs) {
      const events = db.prepare("SELECT type, data FROM events WHERE run_id = ? ORDER BY id").all(run.id) as {
        type: string;
        data: string;
      }[];
      assert.equal(events[0]?.type, "run.created", `run ${run.id} starts with run.created`);
      const states = events
        .map((e) => (JSON.parse(e.data) as { state?: string }).state)
        .filter((s) => s !== undefined);
      const last = states.at(-1) ?? "preparing";
      assert.equal(run.state, last, `run ${run.id}: row state ${run.state} matches its last event's ${last}`);
      const attempts = db
        .prepare("SELECT number FROM attempts WHERE run_id = ? ORDER BY number")
        .all(run.id) as { number: number }[];
      assert.deepEqual(
        attempts.map((a) => a.number),
        attempts.map((_, i) => i + 1),
        `run ${run.id}: attempts numbered 1..n`,
      );
      assert.ok(
        attempts.length <= Math.max(run.attempt, 0),
        `run ${run.id}: no attempt beyond ${run.attempt}`,
      );
    }
  } finally {
    db.close();
  }
}
