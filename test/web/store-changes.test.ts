import { join } from "node:path";
import { it } from "node:test";
import { appendEvent, EVENTS, openStore } from "../../src/store/index.ts";
import { watchStore } from "../../src/web/store-changes.ts";
import { tempDir } from "../helpers/tmp.ts";

it("wakes a caught-up stream when another connection writes the store, long before its poll", async (t) => {
  const path = join(tempDir(t, "gaffer-store-changes-"), "gaffer.db");
  const reader = await openStore(path);
  const writer = await openStore(path);
  const changes = watchStore(path);
  t.after(async () => {
    changes.close();
    await reader.close();
    await writer.close();
  });
  const never = new AbortController();
  // A poll of an hour: only the write can end this wait within the test's time.
  const woken = changes.next(3_600_000, never.signal);
  await appendEvent(writer.db, {}, EVENTS.factoryPaused, {});
  await woken;

  // An abort ends the wait too, and a wait that ended leaves nothing behind to wake.
  const stop = new AbortController();
  const stopped = changes.next(3_600_000, stop.signal);
  stop.abort();
  await stopped;
});
