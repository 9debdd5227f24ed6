import { relative } from "node:path";
import { readAudit } from "./audit.ts";
import { disagreements, stateFromHistory } from "./history.ts";
import { listActions, type VaultPaths } from "./store.ts";

export interface VaultProblem {
  /** The file and line, as shown to the user: `.gaffer/vault/audit.jsonl:7`, `.gaffer/vault/pending/x.json`. */
  where: string;
  message: string;
}

/**
 * Checks the vault: the audit log's hash chain and head (an edited, inserted, deleted or cut-off
 * record), then every action's file against the log (an edited request or result, a file moved,
 * added or deleted behind gaffer's back). Reads only.
 */
export function verifyVault(
  root: string,
  paths: VaultPaths,
): { records: number; actions: number; problems: VaultProblem[] } {
  const shown = (file: string) => relative(root, file);
  const { entries, problems: chain } = readAudit(paths.audit);
  const problems: VaultProblem[] = chain.map((p) => ({
    where: `${shown(p.line ? paths.audit.log : paths.audit.head)}${p.line ? `:${p.line}` : ""}`,
    message: p.message,
  }));
  const actions = listActions(paths);
  for (const action of actions) {
    const history = entries.filter((entry) => entry.action === action.request.id);
    const where = shown(paths.file(action.state, action.request.id));
    for (const message of disagreements(action, history)) problems.push({ where, message });
  }
  const present = new Set(actions.map((a) => a.request.id));
  for (const id of new Set(entries.map((entry) => entry.action))) {
    if (present.has(id)) continue;
    const state = stateFromHistory(entries.filter((entry) => entry.action === id));
    problems.push({
      where: shown(paths.file(state ?? "pending", id)),
      message: `the audit log has ${id} ${state}, but its file is gone (deleted)`,
    });
  }
  return { records: entries.length, actions: actions.length, problems };
}
