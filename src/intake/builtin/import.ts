import { relative, resolve } from "node:path";
import { addItem, type Db, type Item, listItems } from "../../store/index.ts";
import { readMarkdownIssues } from "./markdown.ts";

export interface ImportResult {
  created: Item[];
  /** Files already imported earlier, with the item they became. */
  skipped: { file: string; itemId: number }[];
}

/**
 * Imports markdown issues as items. Every file is parsed before anything is written, so one bad
 * file imports nothing; a file imported before (same path) is skipped, not duplicated.
 */
export async function importMarkdownIssues(
  db: Db,
  path: string,
  root: string,
  defaults: { labels?: string[]; priority?: number } = {},
): Promise<ImportResult> {
  const issues = readMarkdownIssues(resolve(path));
  const known = new Map((await listItems(db, { state: "all" })).map((item) => [item.source, item.id]));
  const result: ImportResult = { created: [], skipped: [] };
  for (const issue of issues) {
    const source = relative(root, issue.file) || issue.file;
    const existing = known.get(source);
    if (existing !== undefined) {
      result.skipped.push({ file: source, itemId: existing });
      continue;
    }
    result.created.push(await addItem(db, { title: issue.title, body: issue.body, source, ...defaults }));
  }
  return result;
}
