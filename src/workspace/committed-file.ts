import { projectGitResult } from "./git.ts";

/** A regular file of a commit, or why there is none: absent, a symlink or a directory, or too big. */
export type CommittedFile =
  { ok: true; data: Buffer } | { ok: false; reason: "missing" | "not-a-file" | "too-big" };

const REGULAR_MODES = new Set(["100644", "100755"]);

/**
 * A file as `commit` holds it, read through the project's own repository. Nothing an agent does in
 * its workspace changes it: a symlink committed there is refused rather than followed, and the
 * size is checked before the blob is read.
 */
export async function readCommittedFile(
  root: string,
  commit: string,
  path: string,
  maxBytes: number,
): Promise<CommittedFile> {
  const [found] = await readCommittedFiles(root, commit, [path], maxBytes);
  return found ?? { ok: false, reason: "missing" };
}

/** Like readCommittedFile for several paths, listed by one `ls-tree`; the answers in their order. */
export async function readCommittedFiles(
  root: string,
  commit: string,
  paths: readonly string[],
  maxBytes: number,
): Promise<CommittedFile[]> {
  const wanted = paths.map((path) => path.replace(/^(\.\/)+/, ""));
  const listed = await projectGitResult(root, [
    "--literal-pathspecs",
    "ls-tree",
    "-z",
    "-l",
    commit,
    "--",
    ...wanted,
  ]);
  if (listed.exitCode !== 0) return wanted.map(() => ({ ok: false, reason: "missing" }));
  const entries = new Map<string, RegExpExecArray>();
  for (const line of listed.stdout.toString("utf8").split("\0")) {
    const match = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(line);
    if (match?.[5] !== undefined) entries.set(match[5], match);
  }
  return Promise.all(wanted.map((path) => readEntry(root, entries.get(path), maxBytes)));
}

async function readEntry(
  root: string,
  entry: RegExpExecArray | undefined,
  maxBytes: number,
): Promise<CommittedFile> {
  if (!entry) return { ok: false, reason: "missing" };
  const [, mode = "", , oid = "", size = ""] = entry;
  if (!REGULAR_MODES.has(mode)) return { ok: false, reason: "not-a-file" };
  if (Number(size) > maxBytes) return { ok: false, reason: "too-big" };
  const blob = await projectGitResult(root, ["cat-file", "blob", oid]);
  return blob.exitCode === 0 ? { ok: true, data: blob.stdout } : { ok: false, reason: "missing" };
}
