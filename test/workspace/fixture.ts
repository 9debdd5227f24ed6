import { join } from "node:path";
import type { TestContext } from "node:test";
import { createWorkspace, type TamperEvidence, type Workspace } from "../../src/workspace/index.ts";
import { gitRepo, TEST_IDENTITY } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

export const RUN_BRANCH = "gaffer/1-add-subtract";

export const PROJECT_FILES = {
  ".gitignore": ".gaffer/\n*.log\n",
  "README.md": "# demo\n",
  "src/math.js": "export const add = (a, b) => a + b;\n",
};

export interface WorkspaceFixture {
  project: string;
  ws: Workspace;
  baseCommit: string;
  /** Every tamper the workspace reported. */
  tampers: TamperEvidence[];
}

/** A project repository and a workspace created from its `main`, both removed after the test. */
export async function workspaceFixture(t: TestContext, files = PROJECT_FILES): Promise<WorkspaceFixture> {
  const project = gitRepo(t, files);
  const tampers: TamperEvidence[] = [];
  const { workspace, baseCommit } = await createWorkspace({
    project,
    dir: join(tempDir(t, "gaffer-ws-"), "runs", "1"),
    branch: RUN_BRANCH,
    baseBranch: "main",
    identity: TEST_IDENTITY,
    onTamper: (evidence) => tampers.push(evidence),
  });
  return { project, ws: workspace, baseCommit, tampers };
}
