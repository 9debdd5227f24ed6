import { lstatSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { standbyDir } from "../../util/index.ts";

/** Set by the build (scripts/build.ts) to a digest of the sources it bundled; absent when running them. */
declare const __GAFFER_BUILD__: string | undefined;

/** Set to `off` in the environment, gaffer neither starts a standby process nor runs in one. */
const STANDBY_SWITCH = "GAFFER_STANDBY";
/** The longest path a Unix socket can have, less a margin. */
const MAX_SOCKET_PATH = 100;

/**
 * Where this build's standby process listens, in `standbyDir` (which every sandbox hides: whoever
 * reaches the socket runs gaffer as this user, outside any sandbox). Undefined when running the
 * sources (there is no build to keep ready), when the path would be too long for a socket, or when
 * `GAFFER_STANDBY=off`.
 */
export function standbySocket(env: NodeJS.ProcessEnv): string | undefined {
  if (typeof __GAFFER_BUILD__ !== "string" || env[STANDBY_SWITCH] === "off") return undefined;
  const path = join(standbyDir(env), `${__GAFFER_BUILD__.slice(0, 16)}.sock`);
  return path.length <= MAX_SOCKET_PATH ? path : undefined;
}

/**
 * Makes the socket's directory private to this user (mode 0700) and says whether it is: a link,
 * a directory of another user or one others can enter is never used, nor one whose parent another
 * user could swap it in (a parent must be this user's or root's, and sticky if others can write
 * in it, as /tmp is).
 */
export function privateDirectory(dir: string): boolean {
  try {
    const parent = lstatSync(dirname(dir));
    const uid = process.getuid?.();
    const parentSafe =
      parent.isDirectory() &&
      (parent.uid === uid || parent.uid === 0) &&
      ((parent.mode & 0o022) === 0 || (parent.mode & 0o1000) !== 0);
    if (!parentSafe) return false;
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return false;
  }
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Whether `path` is a socket of this user's (a link or anything else planted there is not). */
export function ownSocket(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return stat !== undefined && stat.isSocket() && stat.uid === process.getuid?.();
}
