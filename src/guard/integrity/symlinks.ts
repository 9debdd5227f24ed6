/** One entry of a recursive tree listing; `target` is a symlink's content. */
export interface TreeEntry {
  path: string;
  mode: string;
  target?: string;
}

/**
 * Where a symlink leads once every link on the way is followed: `inside` the tree, `outside` it
 * (above its root at any step), into its `git-dir`, to an `absolute` path, or nowhere
 * judgeable (`loop`: more links than the kernel would follow).
 */
export type Landing = "inside" | "outside" | "git-dir" | "absolute" | "loop";

export interface MisdirectedLink {
  path: string;
  target: string;
  landing: Exclude<Landing, "inside">;
}

const SYMLINK_MODE = "120000";
/** Linux's MAXSYMLINKS: the kernel gives up with ELOOP after this many links in one lookup. */
export const MAX_LINK_HOPS = 40;

/** Every symlink of a tree listing that does not land inside the tree, outside `.git`. */
export function misdirectedLinks(entries: Iterable<TreeEntry>): MisdirectedLink[] {
  const links = new Map<string, string>();
  for (const entry of entries) {
    if (entry.mode === SYMLINK_MODE) links.set(entry.path, entry.target ?? "");
  }
  const found: MisdirectedLink[] = [];
  for (const [path, target] of links) {
    const landing = resolveLink(links, path);
    if (landing !== "inside") found.push({ path, target, landing });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Resolves the symlink at `path` as the kernel would, component by component, following every
 * symlink met on the way (`links`: path → target, from the tree, never from a disk). A component
 * the tree does not hold is taken for a directory, since a build could create it.
 */
export function resolveLink(links: ReadonlyMap<string, string>, path: string): Landing {
  const first = links.get(path) ?? "";
  if (first.startsWith("/")) return "absolute";
  const at = components(path).slice(0, -1);
  const pending = components(first).reverse();
  let hops = 1;
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (name === "..") {
      if (at.length === 0) return "outside";
      at.pop();
      continue;
    }
    const next = [...at, name].join("/");
    const target = links.get(next);
    if (target === undefined) {
      at.push(name);
      continue;
    }
    if (++hops > MAX_LINK_HOPS) return "loop";
    if (target.startsWith("/")) return "absolute";
    pending.push(...components(target).reverse());
  }
  return at[0]?.toLowerCase() === ".git" ? "git-dir" : "inside";
}

/** A path's parts without empty ones and `.`; `..` is kept for the walk to climb. */
function components(path: string): string[] {
  return path.split("/").filter((part) => part !== "" && part !== ".");
}
