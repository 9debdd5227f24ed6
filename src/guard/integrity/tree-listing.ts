import { type ObjectReader, readBytes } from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";
import { SYMLINK_MODE } from "./raw-diff.ts";
import type { TreeEntry } from "./symlinks.ts";

/** Every entry of a tree (recursively, directories left out), with each symlink's target. */
export async function listTree(objects: ObjectReader, tree: string): Promise<TreeEntry[]> {
  const listing = splitNul(await readBytes(objects, ["ls-tree", "-r", "-z", "--full-tree", tree]));
  const entries = listing.map((line) => {
    const tab = line.indexOf("\t");
    const [mode = "", , oid = ""] = line.slice(0, tab).split(" ");
    return { path: line.slice(tab + 1), mode, oid };
  });
  const links = entries.filter((entry) => entry.mode === SYMLINK_MODE).map((entry) => entry.oid);
  const targets = await blobTexts(objects, links);
  return entries.map(({ path, mode, oid }) =>
    mode === SYMLINK_MODE ? { path, mode, target: targets.get(oid) ?? "" } : { path, mode },
  );
}

/** The contents of blobs (symlink targets: short), by id. */
async function blobTexts(objects: ObjectReader, oids: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const oid of new Set(oids)) {
    texts.set(oid, (await readBytes(objects, ["cat-file", "blob", oid])).toString("utf8"));
  }
  return texts;
}
