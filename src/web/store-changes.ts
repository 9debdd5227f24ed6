import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface StoreChanges {
  /** Resolves when the store's files next change, or after `ms` at the latest, or on `signal`. */
  next(ms: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Wakes the live streams as soon as any process writes the store (its WAL file changes), instead
 * of at their next poll; the poll stays as the floor where the file system does not tell.
 */
export function watchStore(databasePath: string): StoreChanges {
  const name = basename(databasePath);
  const waiting = new Set<() => void>();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(databasePath), { persistent: false }, (_type, file) => {
      if (file === null || !file.startsWith(name)) return;
      for (const resolve of waiting) resolve();
      waiting.clear();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  return {
    async next(ms, signal) {
      let wake = () => {};
      const changed = new Promise<void>((resolve) => {
        wake = resolve;
        waiting.add(resolve);
      });
      const timeout = new AbortController();
      const stop = AbortSignal.any([signal, timeout.signal]);
      await Promise.race([changed, sleep(ms, undefined, { signal: stop }).catch(() => {})]);
      timeout.abort();
      waiting.delete(wake);
    },
    close: () => watcher?.close(),
  };
}
