import { detectDefaultBranch, projectGit } from "../workspace/index.ts";
import type { Project } from "./project.ts";

/** The default branch's tip: what runs grow from unless told otherwise. */
export async function defaultBase(project: Project): Promise<{ branch: string; commit: string }> {
  const branch = await detectDefaultBranch(project.root, project.config.project.defaultBranch);
  const commit = await projectGit(project.root, ["rev-parse", "--verify", `refs/heads/${branch}^{commit}`]);
  return { branch, commit: commit.trim() };
}
