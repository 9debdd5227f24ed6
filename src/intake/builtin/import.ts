import { relative, resolve } from "node:path";
import { GafferError } from "../../errors.ts";
import { addItem, type Db, type Item, listItems } from "../../store/index.ts";
import { parseDependencies } from "../dependencies.ts";
import { readMarkdownIssues } from "./markdown.ts";

export interface ImportResult {
  created: Item[];
  /** Files already imported earlier, with the item they became. */
  skipped: { file: string; itemId: number }[];
}

/**
 * Imports markdown issues as items. Every file is parsed before anything is written, so one bad
 * file imports nothing; a file imported before (same path) is skipped, not duplicated. A
 * `## Dependencies` (or `## Depends on`) section's `#N` references are the items it depends on.
 */
export async function importMarkdownIssues(
  db: Db,
  path: string,
  root: string,
  defaults: { labels?: string[]; priority?: number } = {},
): Promise<ImportResult> {
  const issues = readMarkdownIssues(resolve(path));
  const items = await listItems(db, { state: "all" });
  const known = new Map(items.map((item) => [item.source, item.id]));
  const ids = new Set(items.map((item) => item.id));
  const dependencies = new Map(issues.map((issue) => [issue.file, parseDependencies(issue.body)]));
  for (const issue of issues) {
    const missing = dependencies.get(issue.file)?.find((id) => !ids.has(id));
    if (missing !== undefined) {
      throw new GafferError(
        "invalid-input",
        `${issue.file}: depends on #${missing}, which is not an item`,
        "`gaffer issue list --all` shows the items; fix the ## Dependencies section",
      );
    }
  }
  const result: ImportResult = { created: [], skipped: [] };
  for (const issue of issues) {
    const source = relative(root, issue.file) || issue.file;
    const existing = known.get(source);
    if (existing !== undefined) {
      result.skipped.push({ file: source, itemId: existing });
      continue;
    }
    const dependsOn = dependencies.get(issue.file) ?? [];
    result.created.push(
      await addItem(db, { title: issue.title, body: issue.body, source, dependsOn, ...defaults }),
    );
  }
  return result;
}
