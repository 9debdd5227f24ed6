import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { type Baseline, captureBaseline, type Subject } from "../../../src/guard/integrity/index.ts";
import { openEvidenceRepo, recordWork, type Workspace } from "../../../src/workspace/index.ts";
import { commitAll, TEST_IDENTITY, writeFiles } from "../../helpers/git.ts";
import { PROJECT_FILES, RUN_BRANCH, workspaceFixture } from "../../workspace/fixture.ts";

export { RUN_BRANCH };

export interface IntegrityFixture {
  ws: Workspace;
  dir: string;
  project: string;
  baseCommit: string;
  baseline: Baseline;
}

/** A project and its run workspace, with the baseline taken as gaffer takes it: before the agent runs. */
export async function integrityFixture(
  t: TestContext,
  files: Record<string, string> = {},
): Promise<IntegrityFixture> {
  const { ws, project, baseCommit } = await workspaceFixture(t, { ...PROJECT_FILES, ...files });
  return { ws, dir: ws.dir, project, baseCommit, baseline: await captureBaseline(ws) };
}

/**
 * The agent's work as gaffer records it after a turn: fetched and hashed into an evidence
 * repository next to the workspace. The checks read their objects from there.
 */
export async function recordedWork(
  fx: IntegrityFixture,
  message = "gaffer: uncommitted work",
): Promise<Subject> {
  const repo = await openEvidenceRepo(fx.project, `${fx.dir}.evidence.git`);
  const work = await recordWork(repo, fx.ws, {
    branch: RUN_BRANCH,
    baseCommit: fx.baseCommit,
    message,
    identity: TEST_IDENTITY,
  });
  return { objects: repo, tip: work.tip, head: work.commit };
}

/** What an agent does: write files and commit them on the run branch. */
export function agentCommit(dir: string, files: Record<string, string>, message = "agent work"): string {
  writeFiles(dir, files);
  return commitAll(dir, message);
}

/** The rules of a list of findings, sorted, for compact assertions. */
export function rules(findings: readonly { rule: string }[]): string[] {
  return findings.map((finding) => finding.rule).sort();
}

/** Replaces `from` (which must be there) with `to` in a file of the workspace. */
export function editFile(dir: string, path: string, from: string, to: string): void {
  const content = readFileSync(join(dir, path), "utf8");
  assert.ok(content.includes(from), `${path} holds ${from}`);
  writeFiles(dir, { [path]: content.replace(from, to) });
}
