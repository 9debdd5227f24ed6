import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../../util/index.ts";

/** Set by the build (scripts/build.ts) to a digest of the sources it bundled; absent when running them. */
declare const __GAFFER_BUILD__: string | undefined;

/** The longest path a Unix socket can have, less a margin. */
const MAX_SOCKET_PATH = 100;

/**
 * Where this build's standby process listens, in a directory of gaffer's cache only this user can
 * enter; undefined when running the sources (there is no build to keep ready) or when the path
 * would be too long for a socket.
 */
export function standbySocket(env: NodeJS.ProcessEnv): string | undefined {
  if (typeof __GAFFER_BUILD__ !== "string") return undefined;
  const path = join(cacheDir(env, "standby"), `${__GAFFER_BUILD__.slice(0, 16)}.sock`);
  return path.length <= MAX_SOCKET_PATH ? path : undefined;
}

/**
 * Makes the socket's directory private to this user (mode 0700) and says whether it is: a link,
 * a directory of another user or one others can enter is never used, since whoever can reach the
 * socket can run gaffer as this user.
 */
export function privateDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
