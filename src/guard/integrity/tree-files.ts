import { type ObjectReader, readBytes } from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";

/** The regular files of a commit's tree, path → blob id (symlinks and submodules left out). */
export async function baseFileList(objects: ObjectReader, commit: string): Promise<Map<string, string>> {
  const listing = splitNul(await readBytes(objects, ["ls-tree", "-r", "-z", "--full-tree", commit]));
  const files = new Map<string, string>();
  for (const entry of listing) {
    const tab = entry.indexOf("\t");
    const [mode = "", type = "", oid = ""] = entry.slice(0, tab).split(" ");
    if (type === "blob" && (mode === "100644" || mode === "100755")) files.set(entry.slice(tab + 1), oid);
  }
  return files;
}
