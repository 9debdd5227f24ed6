import { type ObjectReader, readBytes, TREE_DIFF_SUBMODULES } from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";

/** One entry of `git diff --raw`: for additions the old side is empty, for deletions the new one. */
export interface RawChange {
  /** A, M, D, T, or R for a rename (only when renames are detected). */
  status: string;
  oldPath: string;
  newPath: string;
  oldMode: string;
  newMode: string;
  oldOid: string;
  newOid: string;
}

export const SYMLINK_MODE = "120000";
/** A nested repository's commit recorded in a tree (a submodule entry). */
export const GITLINK_MODE = "160000";

/** What changed between two trees or commits, by path, read with `diff --raw -z`. */
export async function rawDiff(
  objects: ObjectReader,
  from: string,
  to: string,
  opts: { renames?: boolean } = {},
): Promise<RawChange[]> {
  const renames = opts.renames ? ["--find-renames"] : ["--no-renames"];
  const args = [
    "diff",
    "--raw",
    "-z",
    "--no-abbrev",
    "--no-ext-diff",
    "--no-textconv",
    TREE_DIFF_SUBMODULES,
    ...renames,
    from,
    to,
  ];
  return parseRaw(splitNul(await readBytes(objects, args)));
}

function parseRaw(fields: string[]): RawChange[] {
  const changes: RawChange[] = [];
  for (let i = 0; i < fields.length; i++) {
    const [oldMode = "", newMode = "", oldOid = "", newOid = "", score = ""] = (fields[i] ?? "")
      .slice(1)
      .split(" ");
    const status = score.charAt(0);
    const first = fields[++i] ?? "";
    const second = status === "R" || status === "C" ? (fields[++i] ?? "") : first;
    changes.push({
      status,
      oldPath: status === "A" ? "" : first,
      newPath: status === "D" ? "" : second,
      oldMode,
      newMode,
      oldOid,
      newOid,
    });
  }
  return changes;
}
