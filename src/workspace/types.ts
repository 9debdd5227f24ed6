/** Who gaffer's commits in a workspace are made by. */
export interface Identity {
  name: string;
  email: string;
}

/**
 * A clone gaffer created for one run. `pristineConfigPath` is gaffer's copy of the clone's
 * `.git/config`, kept outside the clone so the agent cannot edit it.
 */
export interface Workspace {
  readonly dir: string;
  readonly pristineConfigPath: string;
  /**
   * gaffer's own index for the workspace, outside it. Keeping it between calls keeps git's stat
   * cache, so telling what changed does not rehash every file; the agent's index is never used.
   */
  readonly indexPath: string;
  /**
   * Told when a git command found the clone's config changed (it has been restored by then).
   * Without it, a tamper throws GafferError("workspace-tampered") after the restore.
   */
  readonly onTamper?: (evidence: TamperEvidence) => void;
  /** Kills gaffer's git commands in the workspace when it aborts (a run cancelled or over a limit). */
  readonly signal?: AbortSignal;
}

/** What gaffer found and did when a workspace's git config differed from the pristine copy. */
export interface TamperEvidence {
  workspace: string;
  /** The file that was changed: `<workspace>/.git/config`. */
  file: string;
  /** Where the tampered file was moved to; null when it had been deleted. */
  savedAs: string | null;
  expectedSha256: string;
  /** null when the file was missing or not a regular file. */
  foundSha256: string | null;
  detectedAt: number;
}

export interface GitResult {
  /** null when git was killed (timeout) or could not be started. */
  exitCode: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** Set when the output reached the caller's cap and git was stopped there. */
  truncated?: boolean;
}

/**
 * Read access to git objects gaffer verified: a run's evidence repository, whose objects came
 * through a hash-verifying transfer or were hashed by gaffer itself, with the project's own
 * objects behind it. The checks and the proposal's description read commits, trees and blobs
 * only through one; it never reads an agent's `.git`.
 */
export interface ObjectReader {
  /** Where the objects are, for messages. */
  readonly location: string;
  /**
   * Runs a read-only git command (`cat-file`, `diff`, `log`, `rev-parse`…) on the objects; with
   * `maxStdoutBytes`, git is stopped once it has printed that much.
   */
  git(args: readonly string[], opts?: { maxStdoutBytes?: number }): Promise<GitResult>;
}
