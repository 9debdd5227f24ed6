import { defaultBranchTip } from "../workspace/index.ts";
import type { Project } from "./project.ts";

/** The default branch's tip: what runs grow from unless told otherwise. */
export function defaultBase(project: Project): Promise<{ branch: string; commit: string }> {
  return defaultBranchTip(project.root, project.config.project.defaultBranch);
}
