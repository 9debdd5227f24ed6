import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

/** Why `StoreWatch.next` returned. */
export type WakeReason = "changed" | "timeout" | "aborted";

export interface StoreWatch {
  /**
   * Resolves when a process has committed to the store since the previous call returned ("changed"),
   * after `ms` at the latest ("timeout"), or when `signal` aborts.
   */
  next(ms: number, signal?: AbortSignal): Promise<WakeReason>;
  close(): void;
}

/**
 * Learns of every commit to the store at `database` from the kernel: each one writes the
 * write-ahead log beside it, so a watch on the store's directory (inotify) fires whichever process
 * wrote, with no server and no polling. The store stays the source of truth: a caller re-reads it
 * when woken. Where the file system does not notify (some network mounts), or before the store
 * exists, only the timeout wakes the caller.
 */
export function watchStore(database: string): StoreWatch {
  const names = new Set([basename(database), `${basename(database)}-wal`]);
  let changed = false;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(database), { persistent: false }, (_event, name) => {
      if (name !== null && !names.has(name)) return;
      changed = true;
      wake?.();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // No directory yet, or no notifications here: the timeout is the fallback.
  }
  return {
    next(ms, signal) {
      if (signal?.aborted) return Promise.resolve("aborted");
      if (changed) {
        changed = false;
        return Promise.resolve("changed");
      }
      return new Promise<WakeReason>((resolve) => {
        const finish = (reason: WakeReason) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          wake = undefined;
          changed = false;
          resolve(reason);
        };
        const onAbort = () => finish("aborted");
        const timer = setTimeout(() => finish("timeout"), ms);
        signal?.addEventListener("abort", onAbort, { once: true });
        wake = () => finish("changed");
      });
    },
    close() {
      watcher?.close();
    },
  };
}
