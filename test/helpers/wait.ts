import { dataOf } from "./events.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { projectPaths } from "../../src/engine/index.ts";
import { type GafferEvent, listEvents, openStoreReadOnly } from "../../src/store/index.ts";

/**
 * Resolves once `condition` holds, polling; fails naming `what` after `timeoutMs`. Tests wait for
 * the thing they need this way, never for a fixed time, so a busy machine only makes them slower.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); await sleep(25)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

/** Waits until the project's store holds an event of `type` (that `match` accepts) and returns it. */
export async function waitForEvent(
  dir: string,
  type: string,
  match: (data: Record<string, unknown>) => boolean = () => true,
): Promise<GafferEvent> {
  let found: GafferEvent | undefined;
  await waitFor(async () => {
    try {
      const store = openStoreReadOnly(projectPaths(dir).database);
      if (!store) return false;
      try {
        found = (await listEvents(store.db, {})).find((e) => e.type === type && match(dataOf(e)));
      } finally {
        await store.close();
      }
    } catch {
      return false; // the store is still being created
    }
    return found !== undefined;
  }, `a ${type} event in ${dir}`);
  return found as GafferEvent;
}
