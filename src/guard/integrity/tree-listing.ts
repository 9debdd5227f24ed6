import { workspaceGitBytes, type Workspace } from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";
import { SYMLINK_MODE } from "./raw-diff.ts";
import type { TreeEntry } from "./symlinks.ts";

/** Every entry of a tree (recursively, directories left out), with each symlink's target. */
export async function listTree(ws: Workspace, tree: string): Promise<TreeEntry[]> {
  const listing = splitNul(await workspaceGitBytes(ws, ["ls-tree", "-r", "-z", "--full-tree", tree]));
  const entries = listing.map((line) => {
    const tab = line.indexOf("\t");
    const [mode = "", , oid = ""] = line.slice(0, tab).split(" ");
    return { path: line.slice(tab + 1), mode, oid };
  });
  const links = entries.filter((entry) => entry.mode === SYMLINK_MODE).map((entry) => entry.oid);
  const targets = await blobTexts(ws, links);
  return entries.map(({ path, mode, oid }) =>
    mode === SYMLINK_MODE ? { path, mode, target: targets.get(oid) ?? "" } : { path, mode },
  );
}

/** The contents of blobs, by id, read in one `cat-file --batch`. */
async function blobTexts(ws: Workspace, oids: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (oids.length === 0) return texts;
  const out = await workspaceGitBytes(ws, ["cat-file", "--batch"], { input: `${oids.join("\n")}\n` });
  for (let at = 0; at < out.length;) {
    const eol = out.indexOf(0x0a, at);
    const [oid = "", , size = "0"] = out.subarray(at, eol).toString("utf8").split(" ");
    const start = eol + 1;
    const end = start + Number(size);
    texts.set(oid, out.subarray(start, end).toString("utf8"));
    at = end + 1;
  }
  return texts;
}
