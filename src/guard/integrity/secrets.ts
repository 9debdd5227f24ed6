import { type KnownSecret, secretScanner, type TextAt } from "../secrets/index.ts";
import { commitFieldTexts, committedTexts, MAX_PATCH_BYTES, uncommittedTexts } from "./secret-texts.ts";
import type { Finding, FindingSeverity, Subject } from "./types.ts";

export interface SecretsCheckOptions {
  baseCommit: string;
  /** The run branch, without `refs/heads/`: published as the proposal's name. */
  branch: string;
  /** Values gaffer knows to be secret (its environment, the project's .env files, copied files…). */
  known: readonly KnownSecret[];
  severity: FindingSeverity;
  /** The most of each patch scanned (MAX_PATCH_BYTES); a larger change is a finding of its own. */
  maxPatchBytes?: number;
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
  const maxBytes = opts.maxPatchBytes ?? MAX_PATCH_BYTES;
  const committed = await committedTexts(subject.objects, opts.baseCommit, tip, maxBytes);
  // gaffer's own commit of what the agent left uncommitted: its changes, message and fields.
  const uncommitted = await uncommittedTexts(subject.objects, tip, subject.head, maxBytes);
  const texts: TextAt[] = [
    ...committed.texts,
    ...uncommitted.texts,
    ...(subject.head === tip ? [] : await commitFieldTexts(subject.objects, subject.head)),
    { place: { kind: "branch" }, text: opts.branch },
  ];
  const found: Finding[] = secretScanner(opts.known)
    .scan(texts)
    .map((secret) => ({
      check: "secrets",
      rule: secret.rule,
      severity: opts.severity,
      message: secret.message,
      evidence: { place: secret.place, what: secret.what, encoding: secret.encoding },
    }));
  if (!committed.tooLarge && !uncommitted.tooLarge) return found;
  const size = maxBytes >= 2 ** 20 ? `${maxBytes / 2 ** 20} MiB` : `${maxBytes} bytes`;
  return [
    ...found,
    {
      check: "secrets",
      rule: "too-large-to-scan",
      severity: opts.severity,
      message: `the change is too large to scan for secrets (over ${size} of diff): keep generated or downloaded files out of it (a .gitignore), or split the work`,
      evidence: { limitBytes: maxBytes },
    },
  ];
}
