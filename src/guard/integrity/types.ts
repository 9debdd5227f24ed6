import type { ObjectReader } from "../../workspace/index.ts";

/** "block" stops the proposal; "flag" lets it through with the finding attached for review. */
export type FindingSeverity = "block" | "flag";

/** One violation found after the agent's last turn; evidence is plain JSON for the event log. */
export interface Finding {
  /** The check that found it: "refs", "history", "paths", "metadata", "tamper" or "secrets". */
  check: string;
  /** A stable name for what was violated, e.g. "ref-created" or "assertions-removed". */
  rule: string;
  severity: FindingSeverity;
  message: string;
  evidence: Record<string, unknown>;
}

/**
 * What the checks judge: the agent's work as gaffer recorded it in the run's evidence repository
 * (see recordWork), never the workspace's own objects.
 */
export interface Subject {
  objects: ObjectReader;
  /** The run branch's tip as fetched from the workspace; null when it has no run branch. */
  tip: string | null;
  /** The commit to propose: the tip (or the base) plus what the agent left uncommitted. */
  head: string;
}
