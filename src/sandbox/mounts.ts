import { statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { SandboxPolicy } from "./types.ts";
import { readAgentFile } from "../util/index.ts";

/** One mount in the sandbox's filesystem. */
export interface Mount {
  dest: string;
  args: string[];
  /** An empty tmpfs standing in for something hidden; made read-only once all mounts are done. */
  emptyDir?: boolean;
}

/** Where everything is: the policy with real paths, plus the homes to hide. */
export interface MountLayout {
  policy: SandboxPolicy;
  hiddenHomes: readonly string[];
  /** An empty read-only regular file on the host, bound over denied files. */
  emptyFile: string;
  /** Further mounts (the network forwarder and proxy socket). */
  extra: readonly Mount[];
}

const GIT_PROTECTED_DIRS = ["hooks", "info", join("objects", "info")];

/**
 * bwrap's `--dev` is a writable tmpfs, /dev/shm a directory in it: memory no disk budget sees.
 * Remounted read-only (not recursively), the devices, /dev/pts and a bound /dev/shm still work.
 */
const DEV_READ_ONLY = ["/dev"];

/**
 * The bwrap mount arguments for a layout (after `--dev /dev`). Later entries win over earlier ones
 * at the same path, so the order of precedence is: hidden (homes, deny) < private /tmp and
 * /dev/shm < read-only < writable <
 * the workspace's protected git metadata. Mounts are then ordered by depth, parents first, so a
 * workspace inside a denied `.gaffer/` is bound back on top of the empty directory hiding it.
 */
export function mountArgs(layout: MountLayout): string[] {
  const { policy } = layout;
  const mounts = new Map<string, Mount>();
  const add = (mount: Mount | undefined) => mount && mounts.set(mount.dest, mount);
  const alternates = gitAlternates(policy.workspace);
  const visible = [policy.workspace, policy.home, ...policy.writable, ...policy.readOnly, ...alternates];
  const tmpEntries = exposedTmpEntries(visible);
  const reachable = (path: string) =>
    !isWithin(path, "/tmp") || tmpEntries.some((entry) => isWithin(path, entry));

  for (const path of [...layout.hiddenHomes, ...policy.deny].filter(reachable))
    add(hide(path, layout.emptyFile));
  add({ dest: "/run", args: ["--tmpfs", "/run"], emptyDir: true });
  add(bind("--bind", policy.tmp, "/tmp"));
  if (policy.shm !== undefined) add(bind("--bind", policy.shm, "/dev/shm"));
  // A /tmp entry is bound only to reach what lies inside it: it never uncovers a hidden home there.
  for (const path of tmpEntries) if (!mounts.has(path)) add(bind("--ro-bind-try", path));
  for (const path of [...policy.readOnly, ...alternates]) add(bind("--ro-bind-try", path));
  for (const path of policy.writable) add(bind("--bind-try", path));
  add(bind("--bind", policy.home));
  add(bind("--bind", policy.workspace));
  for (const mount of gitProtections(policy.workspace, layout.emptyFile)) add(mount);
  for (const mount of layout.extra) add(mount);

  const ordered = [...mounts.values()].sort((a, b) => depth(a.dest) - depth(b.dest));
  const readOnly = [
    ...ordered.filter((mount) => mount.emptyDir).map((mount) => mount.dest),
    ...DEV_READ_ONLY,
  ];
  return [...ordered.flatMap((mount) => mount.args), ...readOnly.flatMap((dest) => ["--remount-ro", dest])];
}

export function bind(flag: string, source: string, dest = source): Mount {
  return { dest, args: [flag, source, dest] };
}

export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/** An empty read-only directory over a directory, an empty file over anything else. */
function hide(path: string, emptyFile: string): Mount | undefined {
  const kind = fileKind(path);
  if (kind === undefined || path === "/") return undefined;
  return kind === "dir"
    ? { dest: path, args: ["--tmpfs", path], emptyDir: true }
    : bind("--ro-bind", emptyFile, path);
}

/**
 * The workspace's git metadata that gaffer relies on, read-only: config, hooks, info and
 * objects/info (alternates). `.git` and `.git/objects` are bound onto themselves first because
 * a mount point cannot be renamed: otherwise the agent could move `.git` aside and build a new
 * one with its own hooks. A missing directory becomes an empty read-only one, so it cannot be
 * created either.
 */
function gitProtections(workspace: string, emptyFile: string): Mount[] {
  const gitDir = join(workspace, ".git");
  if (fileKind(gitDir) !== "dir") return [];
  const objects = join(gitDir, "objects");
  const pins = [bind("--bind", gitDir), ...(fileKind(objects) === "dir" ? [bind("--bind", objects)] : [])];
  const config = join(gitDir, "config");
  const dirs = GIT_PROTECTED_DIRS.map((name) => join(gitDir, name)).map((dir) =>
    fileKind(dir) === "dir" ? bind("--ro-bind", dir) : { dest: dir, args: ["--tmpfs", dir], emptyDir: true },
  );
  return [
    ...pins,
    fileKind(config) ? bind("--ro-bind", config) : bind("--ro-bind", emptyFile, config),
    ...dirs,
  ];
}

/**
 * The object directories a `git clone --shared` workspace borrows from (the project's
 * `.git/objects`), which must stay readable even when the project itself is hidden. The sandbox
 * keeps `.git/objects/info` read-only; the file is still read as hostile (no symlink, no FIFO,
 * size-capped), for a workspace an unconfined run could write.
 */
function gitAlternates(workspace: string): string[] {
  const objects = join(workspace, ".git", "objects");
  const read = readAgentFile(join(objects, "info", "alternates"), { maxBytes: 64 * 1024, within: workspace });
  if (!read.ok) return [];
  return read.data
    .toString("utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith('"'))
    .map((line) => (isAbsolute(line) ? resolve(line) : resolve(objects, line)))
    .filter((dir) => fileKind(dir) === "dir");
}

/**
 * The private /tmp is a host directory, so bwrap would create the mount points of anything bound
 * below /tmp inside it — writable stand-ins for the real parents. Binding the host's top-level
 * /tmp entry read-only first keeps those parents real and read-only.
 */
function exposedTmpEntries(paths: readonly string[]): string[] {
  const entries = paths
    .filter((path) => path.startsWith("/tmp/"))
    .map((path) => `/tmp/${path.slice("/tmp/".length).split("/")[0]}`);
  return [...new Set(entries)];
}

function fileKind(path: string): "dir" | "file" | undefined {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

function depth(path: string): number {
  return path.split("/").filter(Boolean).length;
}
