import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { GafferError } from "../../errors.ts";

export interface MarkdownIssue {
  file: string;
  title: string;
  body: string;
}

/**
 * Reads an issue in the Module-25 format: the first `# ` line is the title, everything after it
 * the body. Text before the title (front matter, blank lines) is kept at the top of the body.
 */
export function parseMarkdownIssue(text: string, file: string): MarkdownIssue {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const titleAt = lines.findIndex((line) => /^#\s+\S/.test(line));
  if (titleAt < 0) {
    throw new GafferError("invalid-input", `${file}: no title line`, 'start the issue with a "# Title" line');
  }
  const title = (lines[titleAt] as string).replace(/^#\s+/, "").trim();
  const before = lines.slice(0, titleAt).join("\n").trim();
  const after = lines
    .slice(titleAt + 1)
    .join("\n")
    .trim();
  return { file, title, body: [before, after].filter(Boolean).join("\n\n") };
}

/** A markdown file, or every `*.md` file of a directory (not recursive), in name order. */
export function readMarkdownIssues(path: string): MarkdownIssue[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new GafferError(
      "invalid-input",
      `${path}: no such file or directory`,
      "give a markdown file or a directory of them",
    );
  }
  const files = stat.isDirectory()
    ? readdirSync(path)
        .filter((name) => name.endsWith(".md"))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) {
    throw new GafferError(
      "invalid-input",
      `${path}: no .md files in this directory`,
      "put one issue per .md file",
    );
  }
  return files.map((file) => parseMarkdownIssue(readFileSync(file, "utf8"), file));
}
