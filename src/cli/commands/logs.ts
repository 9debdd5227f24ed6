import { eventLine, openProjectReadOnly } from "../../engine/index.ts";
import { ACTIVE_STATES, type GafferEvent, getRun, listEvents, watchStore } from "../../store/index.ts";
import { requireStore } from "./read-store.ts";
import { color, parseId, print } from "../output.ts";

/** How often --follow reads the store when no commit has woken it (some file systems never do). */
const FALLBACK_MS = 1000;

export async function logs(
  cwd: string,
  runText: string,
  options: { follow?: boolean; json?: boolean },
): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  const changes = options.follow ? watchStore(project.paths.database) : undefined;
  try {
    const db = requireStore(project, "run", runText);
    const runId = parseId(runText, "run");
    await getRun(db, runId);
    const show = (event: GafferEvent) =>
      print(options.json ? JSON.stringify(event) : eventLine(event, color.dim));
    let afterId = 0;
    for (;;) {
      const events = await listEvents(db, { runId, afterId });
      events.forEach(show);
      afterId = events.at(-1)?.id ?? afterId;
      if (!changes) return 0;
      if (!ACTIVE_STATES.includes((await getRun(db, runId)).state)) {
        (await listEvents(db, { runId, afterId })).forEach(show);
        return 0;
      }
      await changes.next(FALLBACK_MS);
    }
  } finally {
    changes?.close();
    await project.close();
  }
}
