import { captureWorktree, type Workspace } from "../../workspace/index.ts";
import { type KnownSecret, secretScanner, type TextAt } from "../secrets/index.ts";
import { committedTexts, uncommittedTexts } from "./secret-texts.ts";
import type { Finding, FindingSeverity } from "./types.ts";

export interface SecretsCheckOptions {
  baseCommit: string;
  /** The run branch, without `refs/heads/`: published as the proposal's name. */
  branch: string;
  /** Values gaffer knows to be secret (its environment, the project's .env files, copied files…). */
  known: readonly KnownSecret[];
  /** The message gaffer commits the agent's uncommitted changes with. */
  commitMessage: string;
  severity: FindingSeverity;
}

/**
 * Nothing secret may leave in the proposal: no known secret (as is, reversed, hex or base64) and
 * no well-known token in any line any of its commits added, in the changes gaffer would commit,
 * in a file name, in any field of a commit, in the branch name or in gaffer's own commit message.
 * Findings name the place, never the value.
 */
export async function checkSecrets(ws: Workspace, opts: SecretsCheckOptions): Promise<Finding[]> {
  const { head, tree } = await captureWorktree(ws);
  const tip = head ?? opts.baseCommit;
  const texts: TextAt[] = [
    ...(await committedTexts(ws, opts.baseCommit, tip)),
    ...(await uncommittedTexts(ws, tip, tree)),
    { place: { kind: "branch" }, text: opts.branch },
    { place: { kind: "gaffer-message" }, text: opts.commitMessage },
  ];
  return secretScanner(opts.known)
    .scan(texts)
    .map((found) => ({
      check: "secrets",
      rule: found.rule,
      severity: opts.severity,
      message: found.message,
      evidence: { place: found.place, what: found.what, encoding: found.encoding },
    }));
}
