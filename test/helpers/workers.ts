import { join } from "node:path";
import { readPidFiles } from "../../src/factory/pid-files.ts";
import { type Db, EVENTS, eventsOfKind, listEvents } from "../../src/store/index.ts";

/**
 * The live worker process hosting the item's latest build or review: the one its latest
 * `role.started` names, found by its pid file.
 */
export async function workerPidOf(db: Db, dir: string, itemId: number): Promise<number | undefined> {
  const started = eventsOfKind(await listEvents(db, { itemId }), EVENTS.roleStarted).at(-1);
  const name = started?.data.worker ?? started?.data.process;
  const file = readPidFiles(join(dir, ".gaffer", "factory", "pids")).find((f) => f.name === name && f.alive);
  return file?.pid;
}
