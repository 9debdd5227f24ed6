import { basename, extname } from "node:path";
import type { Project } from "../engine/index.ts";
import { importMarkdownIssues, readMarkdownIssues } from "../intake/index.ts";
import { editItem, getItem, setItemState } from "../store/index.ts";
import { oneshotGate } from "./gate.ts";
import { oneshotAgent, type OneshotOptions, type OneshotResult, runOneshot } from "./run-oneshot.ts";

/**
 * `gaffer issue-to-pr <issue.md>`: the issue file becomes an item (or updates the one it became
 * before), an agent implements it on `agent/<issue-stem>` from the default branch, gaffer's gate
 * judges it, and a green run is a proposal branch. Nothing is merged.
 */
export async function issueToPr(
  project: Project,
  file: string,
  options: OneshotOptions,
): Promise<OneshotResult> {
  const agent = oneshotAgent(project, "issue-to-pr", options);
  const itemId = await itemFor(project, file);
  return runOneshot(
    project,
    {
      agent,
      itemId,
      gate: oneshotGate(project.root, project.config, options.simulate !== undefined),
      plan: { branch: `agent/${branchWord(basename(file, extname(file)))}` },
    },
    options,
  );
}

/** The item the file became: imported now, or imported earlier and brought up to date (and reopened). */
async function itemFor(project: Project, file: string): Promise<number> {
  const db = project.store.db;
  const { created, skipped } = await importMarkdownIssues(db, file, project.root);
  const fresh = created[0];
  if (fresh) return fresh.id;
  const { itemId } = skipped[0] as { itemId: number };
  const [issue] = readMarkdownIssues(file);
  const item = await getItem(db, itemId);
  if (issue && (issue.title !== item.title || issue.body !== item.body))
    await editItem(db, itemId, { title: issue.title, body: issue.body });
  if (item.state === "closed") await setItemState(db, itemId, "open");
  return itemId;
}

/** A file name as one word of a branch name: what git refuses in a ref becomes a dash. */
function branchWord(text: string): string {
  const word = text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .replace(/\.lock$/, "");
  return word || "issue";
}
