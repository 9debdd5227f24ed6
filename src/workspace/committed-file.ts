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
  const wanted = path.replace(/^(\.\/)+/, "");
  const listed = await projectGitResult(root, [
    "--literal-pathspecs",
    "ls-tree",
    "-z",
    "-l",
    commit,
    "--",
    wanted,
  ]);
  if (listed.exitCode !== 0) return { ok: false, reason: "missing" };
  const entry = listed.stdout
    .toString("utf8")
    .split("\0")
    .map((line) => /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(line))
    .find((match) => match?.[5] === wanted);
  if (!entry) return { ok: false, reason: "missing" };
  const [, mode = "", , oid = "", size = ""] = entry;
  if (!REGULAR_MODES.has(mode)) return { ok: false, reason: "not-a-file" };
  if (Number(size) > maxBytes) return { ok: false, reason: "too-big" };
  const blob = await projectGitResult(root, ["cat-file", "blob", oid]);
  return blob.exitCode === 0 ? { ok: true, data: blob.stdout } : { ok: false, reason: "missing" };
}
