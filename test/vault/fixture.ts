import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { openProject } from "../../src/engine/index.ts";
import { addItem, createRun, recordProposal } from "../../src/store/index.ts";
import { putRunInState } from "../helpers/store.ts";
import { commitAll, git, gitOut, gitRepo, writeFiles } from "../helpers/git.ts";

export interface ProposalProject {
  dir: string;
  runId: number;
  branch: string;
  base: string;
  head: string;
}

/**
 * A project whose run 1 made a proposal: a real branch `gaffer/1-change` that writes `changes`
 * on top of main, and the run and proposal gaffer records for it. `main` stays checked out.
 */
export async function proposalProject(
  t: TestContext,
  changes: Record<string, string>,
  config: { gaffer?: string; policy?: string } = {},
): Promise<ProposalProject> {
  const dir = gitRepo(t, { "src/calc.js": "export const add = (a, b) => a + b;\n", "README.md": "calc\n" });
  const base = gitOut(dir, "rev-parse", "HEAD");
  const branch = "gaffer/1-change";
  git(dir, "switch", "--quiet", "-c", branch);
  writeFiles(dir, changes);
  const head = commitAll(dir, "The change");
  git(dir, "switch", "--quiet", "main");
  if (config.gaffer !== undefined) writeFileSync(join(dir, "gaffer.toml"), config.gaffer);
  if (config.policy !== undefined) writeFileSync(join(dir, "policy.toml"), config.policy);
  const project = await openProject(dir);
  try {
    const db = project.store.db;
    const item = await addItem(db, { title: "The change", body: "" });
    const run = await createRun(db, {
      itemId: item.id,
      agent: "scripted",
      branch,
      baseBranch: "main",
      baseCommit: base,
      workspace: join(dir, ".gaffer", "workspaces", "run-1"),
      maxFixAttempts: 0,
      owner: project.owner,
      sandbox: "none (test)",
    });
    await recordProposal(db, {
      runId: run.id,
      itemId: item.id,
      branch,
      baseCommit: base,
      headCommit: head,
      commits: [{ sha: head, subject: "The change", author: "Test User" }],
      diffStat: "",
      evidence: [],
      findings: [],
      sandbox: run.sandbox,
    });
    await putRunInState(db, run.id, "proposed");
    return { dir, runId: run.id, branch, base, head };
  } finally {
    await project.close();
  }
}

/** disinto's vault files as its schema, its examples and the seed's ops repository have them. */
export const DISINTO_VAULT: Record<string, string> = {
  "actions/publish-skill-20260331.toml": `# Required
id = "publish-skill-20260331"
formula = "clawhub-publish"
context = "SKILL.md bumped to 0.3.0"

# Required secrets to inject (env vars)
secrets = ["CLAWHUB_TOKEN"]

# Optional file-based credential mounts
mounts = ["ssh"]

# Optional
model = "sonnet"
tools = ["clawhub"]
timeout_minutes = 30
blast_radius = "low"       # optional: overrides policy.toml tier ("low"|"medium"|"high")
`,
  "actions/release-v120.toml": `id = "release-v120"
formula = "release"
context = "Release v1.2.0 — includes vault redesign, .profile system, architect agent"
secrets = ["GITHUB_TOKEN", "CODEBERG_TOKEN"]
mounts = ["ssh"]

# Optional: specify a larger model for complex release logic
# model = "sonnet"
`,
  "actions/promote-20260331.toml": `id = "promote-20260331"
formula = "run-supervisor"
context = "Promote build v1.2.3 to production environment"
secrets = ["DEPLOY_KEY", "DOCKER_HUB_TOKEN"]
model = "sonnet"
tools = ["docker"]
timeout_minutes = 45
`,
  "actions/webhook-call-20260331.toml": `id = "webhook-call-20260331"
formula = "run-rent-a-human"
context = "Notify Slack channel about deployment completion"
secrets = ["DEPLOY_KEY"]
model = "sonnet"
tools = []
timeout_minutes = 30
dispatch_mode = "direct"
`,
  "actions/fix-ops-branch-protection-20260415.toml": `# Vault action: fix-ops-branch-protection-20260415
# Filed by: gardener (2026-04-15)
# Unblocks: #758, #765

context = "Ops repo (disinto-admin/disinto-ops) branch protection on main requires approvals but no bot account has sufficient permissions to merge PRs."

unblocks = ["#758", "#765"]

[action_required]
description = """
Choose ONE of the following:

Option 1 (recommended): Add planner-bot to the merge allowlist in disinto-ops branch protection.
Option 2: Remove branch protection from disinto-ops main.
"""
`,
  "pending/disinto-ops-branch-protection.md": `# Request: Remove or relax ops repo branch protection for agent writes

## What
The ops repo has branch protection on \`main\` that requires approvals, but no bot account can merge.

## Why
Blocks #758, which blocks all agent ops-repo writes.

## Human action
1. In Forgejo, go to \`disinto-ops\` → Settings → Branch Protection → \`main\`
2. Remove branch protection, or add \`planner-bot\` to the merge allowlist.

## Factory will then
- Planner will push prerequisite tree updates to \`origin/main\`

## Unblocks
- #758 — ops repo branch protection blocks all agent writes
`,
  "pending/.gitkeep": "",
  "approved/.gitkeep": "",
  "fired/.gitkeep": "",
  "rejected/.gitkeep": "",
  "policy.toml": `# vault/policy.toml — Blast-radius tier classification for formulas
[tiers]
groom-backlog       = "low"
triage              = "low"
dev                 = "medium"
run-publish-site    = "high"
release             = "high"
`,
  "SCHEMA.md": "# Vault Action TOML Schema\n\nnot a vault file\n",
};
