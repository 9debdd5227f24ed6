import { setTimeout as sleep } from "node:timers/promises";
import { eventLine, openProjectReadOnly } from "../../engine/index.ts";
import { ACTIVE_STATES, getRun, listEvents } from "../../store/index.ts";
import { requireStore } from "./read-store.ts";
import { color, parseId, print } from "../output.ts";

const POLL_MS = 250;

export async function logs(
  cwd: string,
  runText: string,
  options: { follow?: boolean; json?: boolean },
): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const db = requireStore(project, "run", runText);
    const runId = parseId(runText, "run");
    await getRun(db, runId);
    let afterId = 0;
    for (;;) {
      const events = await listEvents(db, { runId, afterId });
      for (const event of events) print(options.json ? JSON.stringify(event) : eventLine(event, color.dim));
      afterId = events.at(-1)?.id ?? afterId;
      if (!options.follow || !ACTIVE_STATES.includes((await getRun(db, runId)).state)) {
        if (options.follow)
          for (const event of await listEvents(db, { runId, afterId }))
            print(options.json ? JSON.stringify(event) : eventLine(event, color.dim));
        return 0;
      }
      await sleep(POLL_MS);
    }
  } finally {
    await project.close();
  }
}
