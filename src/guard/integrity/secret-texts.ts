import { type ObjectReader, readBytes, TREE_DIFF_SUBMODULES } from "../../workspace/index.ts";
import type { TextAt } from "../secrets/index.ts";
import { splitLines } from "./tamper-diff.ts";

/** Every byte of content, as text, with the changes' own line numbers; no pager, filters or renames. */
const PATCH = [
  "-p",
  "-U0",
  "--no-color",
  "--text",
  "--no-ext-diff",
  "--no-textconv",
  "--no-renames",
  "--src-prefix=a/",
  "--dst-prefix=b/",
  TREE_DIFF_SUBMODULES,
];
const QUOTE_PATHS_RAW = ["-c", "core.quotePath=false"];
const COMMIT_MARK = "\0";
const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * What a proposal from `base` to `tip` publishes in its commits: the lines each commit added (every
 * commit, so a secret a later one removed is still seen), the names of the files it added or
 * changed, and every field of each commit object (author, committer, message, any other header).
 */
export async function committedTexts(
  objects: ObjectReader,
  base: string,
  tip: string,
  maxBytes = MAX_PATCH_BYTES,
): Promise<Texts> {
  const range = `${base}..${tip}`;
  const format = ["--format=%x00%H", "--root", "--diff-merges=first-parent"];
  const log = await readPatch(objects, [...QUOTE_PATHS_RAW, "log", ...format, ...PATCH, range], maxBytes);
  const shas = (await readBytes(objects, ["rev-list", range])).toString("utf8").split("\n").filter(Boolean);
  return { texts: [...log.texts, ...(await commitFieldTexts(objects, ...shas))], tooLarge: log.tooLarge };
}

/** What gaffer's own commit of the uncommitted changes publishes: the diff from `tip` to `head`. */
export async function uncommittedTexts(
  objects: ObjectReader,
  tip: string,
  head: string,
  maxBytes = MAX_PATCH_BYTES,
): Promise<Texts> {
  return readPatch(objects, [...QUOTE_PATHS_RAW, "diff", ...PATCH, tip, head], maxBytes);
}

/** The texts of a patch, and whether it was past what can be read whole (then only its head is). */
export interface Texts {
  texts: TextAt[];
  tooLarge: boolean;
}

/** The most of a patch read for scanning: past it, the change cannot be vouched for. */
export const MAX_PATCH_BYTES = 128 * 1024 * 1024;

async function readPatch(objects: ObjectReader, args: readonly string[], maxBytes: number): Promise<Texts> {
  const patch = await readBytes(objects, args, { maxStdoutBytes: maxBytes + 1 });
  const tooLarge = patch.length > maxBytes;
  return { texts: patchTexts(patch.subarray(0, maxBytes).toString("utf8"), null), tooLarge };
}

/**
 * The added lines of a `git log -p` or `git diff -p` output, one text per hunk, each with the
 * lines its commit's diff removed (a value already there is not new). Lines starting with NUL
 * name the commit that follows; content lines always start with +, -, space or backslash.
 */
function patchTexts(patch: string, commit: string | null): TextAt[] {
  const texts: TextAt[] = [];
  let current = { commit, removed: [] as string[], texts: [] as TextAt[] };
  const finish = () => {
    const replaced = current.removed.join("\n");
    texts.push(...current.texts.map((text) => (replaced ? { ...text, replaced } : text)));
  };
  let path: string | null = null;
  let hunk: { line: number; lines: string[] } | null = null;
  const endHunk = () => {
    if (hunk && path !== null && hunk.lines.length > 0) {
      const place = { kind: "file" as const, commit: current.commit, path, line: hunk.line };
      current.texts.push({ place, text: hunk.lines.join("\n") });
    }
    hunk = null;
  };
  for (const line of splitLines(patch)) {
    if (line.startsWith(COMMIT_MARK)) {
      endHunk();
      finish();
      current = { commit: line.slice(1), removed: [], texts: [] };
      path = null;
    } else if (hunk && line.startsWith("+")) {
      hunk.lines.push(line.slice(1));
    } else if (hunk && line.startsWith("-")) {
      current.removed.push(line.slice(1));
    } else if (hunk && line.startsWith("\\")) {
      continue;
    } else if (line.startsWith("diff --git ")) {
      endHunk();
      path = null;
    } else if (!hunk && line.startsWith("+++ ")) {
      path = newPath(line.slice(4));
      if (path !== null)
        current.texts.push({ place: { kind: "path", commit: current.commit, path }, text: path });
    } else {
      const header = HUNK.exec(line);
      endHunk();
      if (header) hunk = { line: Number(header[1]), lines: [] };
    }
  }
  endHunk();
  finish();
  return texts;
}

/** `b/path` (or git's quoted `"b/pa\"th"`) as the path; null for `/dev/null`, a deletion. */
function newPath(field: string): string | null {
  if (field === "/dev/null") return null;
  return field.startsWith('"') ? `"${field.slice(3)}` : field.slice(2);
}

/** Every header and the message of each commit object, read raw (`cat-file --batch`). */
/** Every field of each commit object (author, committer, message, any other header). */
export async function commitFieldTexts(objects: ObjectReader, ...shas: readonly string[]): Promise<TextAt[]> {
  const texts: TextAt[] = [];
  for (const sha of shas) {
    texts.push(
      ...commitFields(sha, (await readBytes(objects, ["cat-file", "commit", sha])).toString("utf8")),
    );
  }
  return texts;
}

/** A commit object's headers (continuation lines joined to theirs) and message, tree and parents left out. */
function commitFields(commit: string, body: string): TextAt[] {
  const split = body.indexOf("\n\n");
  const headers = split === -1 ? body : body.slice(0, split);
  const message = split === -1 ? "" : body.slice(split + 2);
  const fields: { field: string; text: string }[] = [];
  for (const line of headers.split("\n")) {
    const last = fields.at(-1);
    if (line.startsWith(" ") && last) last.text += `\n${line.slice(1)}`;
    else {
      const space = line.indexOf(" ");
      fields.push({ field: line.slice(0, space), text: line.slice(space + 1) });
    }
  }
  return [
    ...fields.filter((f) => f.field !== "tree" && f.field !== "parent"),
    { field: "message", text: message },
  ].map(({ field, text }) => ({ place: { kind: "commit", commit, field }, text }));
}
