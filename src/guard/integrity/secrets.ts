import { type KnownSecret, secretScanner, type TextAt } from "../secrets/index.ts";
import { commitFieldTexts, committedTexts, uncommittedTexts } from "./secret-texts.ts";
import type { Finding, FindingSeverity, Subject } from "./types.ts";

export interface SecretsCheckOptions {
  baseCommit: string;
  /** The run branch, without `refs/heads/`: published as the proposal's name. */
  branch: string;
  /** Values gaffer knows to be secret (its environment, the project's .env files, copied files…). */
  known: readonly KnownSecret[];
  severity: FindingSeverity;
}

/**
 * Nothing secret may leave in the proposal: no known secret (as is, reversed, hex or base64) and
 * no well-known token in any line any of its commits added, in the changes gaffer would commit,
 * in a file name, in any field of a commit (gaffer's own included), or in the branch name. Every
 * object is read from the run's evidence, never from the workspace.
 * Findings name the place, never the value.
 */
export async function checkSecrets(subject: Subject, opts: SecretsCheckOptions): Promise<Finding[]> {
  const tip = subject.tip ?? opts.baseCommit;
  const texts: TextAt[] = [
    ...(await committedTexts(subject.objects, opts.baseCommit, tip)),
    // gaffer's own commit of what the agent left uncommitted: its changes, message and fields.
    ...(await uncommittedTexts(subject.objects, tip, subject.head)),
    ...(subject.head === tip ? [] : await commitFieldTexts(subject.objects, subject.head)),
    { place: { kind: "branch" }, text: opts.branch },
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
