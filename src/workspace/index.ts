/**
 * Workspaces: per-run `git clone --shared` sibling clones, their setup, changes, snapshots and
 * publication. Every git command gaffer runs inside a workspace goes through workspaceGit, which
 * never executes anything the agent could have planted. The agent's work is judged, gated and
 * proposed from the run's evidence repository (evidence.ts), never from the workspace's objects.
 */
export { runBranchName } from "./branch.ts";
export {
  branchDescendsFrom,
  type CommitInfo,
  describeProposal,
  memoizedReader,
  type ProposalSummary,
  readBytes,
  readText,
  worktreeFingerprint,
} from "./changes.ts";
export { type CommittedFile, readCommittedFile, readCommittedFiles } from "./committed-file.ts";
export {
  type EvidenceRepo,
  evidenceRepoAt,
  keepCommit,
  openEvidenceRepo,
  recordWork,
  type RecordWorkOptions,
  resolveIn,
  type WorkRecord,
  workspaceBranches,
} from "./evidence.ts";
export { type Checkout, checkoutChanges, checkoutCommit } from "./checkout.ts";
export { addNote, commitTree, moveBranch, treeWithFiles } from "./commit-objects.ts";
export { type CreatedWorkspace, type CreateWorkspaceOptions, createWorkspace } from "./clone.ts";
export {
  checked,
  type GitOptions,
  type GitResult,
  hardenedGit,
  hardenedGitResult,
  identityEnv,
  ownedGit,
  ownedGitResult,
  projectGit,
  projectGitResult,
  TREE_DIFF_SUBMODULES,
  workspaceGit,
  workspaceGitBytes,
  workspaceGitResult,
} from "./git.ts";
export {
  pristineConfigPath,
  removeWorkspace,
  verifyWorkspace,
  type WorkspaceHandleOptions,
  workspaceAt,
} from "./integrity.ts";
export { ownerAlive, ownerToken, type RepoLockOptions, repoLockPath, withRepoLock } from "./lock.ts";
export {
  checkWarmTree,
  claimWarmClone,
  type ClaimWarmOptions,
  dropWarmClone,
  type FilledPool,
  fillWarmPool,
  type FillWarmOptions,
  placeWarmClone,
  readyWarmClones,
  takeWarmClone,
  type TakenWarmClone,
  type TakeWarmOptions,
  WARM_BRANCH,
  type WarmPoolOptions,
} from "./warm.ts";
export { fetchForgeBranch, forgeBranchRef, forgeGitEnv, standingWith } from "./forge-git.ts";
export { type Rebased, type RebaseOptions, rebaseWorkspace } from "./rebase.ts";
export { assertRepository, defaultBranchTip, detectDefaultBranch, resolveProjectRoot } from "./repo.ts";
export { runSetup, type SetupCommand, type SetupOptions, type SetupStep } from "./setup.ts";
export {
  discardWorkspace,
  type PublishResult,
  publishBranch,
  publishCommit,
  type SnapshotResult,
  snapshotWorkspace,
} from "./snapshot.ts";
export { captureWorktree, type WorktreeChanges, type WorktreeState } from "./tree.ts";
export type { Identity, ObjectReader, TamperEvidence, Workspace } from "./types.ts";
