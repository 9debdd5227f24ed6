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
