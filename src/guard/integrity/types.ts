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
