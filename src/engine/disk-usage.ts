import { type Stats, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEvents } from "node:timers/promises";

/**
 * Entries looked at between two turns of the event loop. Synchronous `lstat` is several times
 * faster than the thread pool's; a slice this size keeps the loop free every few milliseconds.
 */
const SLICE = 500;

/**
 * The bytes the files under `roots` take, for a disk budget: each entry counts its apparent size
 * or the blocks it holds, whichever is more (a sparse file counts its full size, a directory its
 * blocks). Only `lstat` is used: symlinks are counted as themselves and never followed, FIFOs and
 * sockets are never opened, and a file with several hard links counts once. The walk ends as soon
 * as the total passes `stopAbove`, so a tree far over budget costs no more than one just over it.
 */
export async function diskUsage(
  roots: readonly string[],
  options: { stopAbove?: number } = {},
): Promise<number> {
  const stopAbove = options.stopAbove ?? Number.POSITIVE_INFINITY;
  const linked = new Set<string>();
  const pending: string[] = [];
  let total = 0;
  let sliced = 0;
  const visit = (path: string): void => {
    const stats = lstatOrNothing(path);
    if (!stats) return;
    if (stats.isDirectory()) pending.push(path);
    else if (stats.nlink > 1) {
      const key = `${stats.dev}:${stats.ino}`;
      if (linked.has(key)) return;
      linked.add(key);
    }
    total += Math.max(stats.size, stats.blocks * 512);
  };
  for (const root of roots) visit(root);
  while (pending.length > 0 && total <= stopAbove) {
    const dir = pending.pop() as string;
    for (const name of namesIn(dir)) {
      visit(join(dir, name));
      if (total > stopAbove) break;
      if (++sliced % SLICE === 0) await yieldToEvents();
    }
  }
  return total;
}

function lstatOrNothing(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined; // gone meanwhile, or unreadable
  }
}

function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
