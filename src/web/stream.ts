import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { type Db, latestEventId, listEvents, watchStore } from "../store/index.ts";

/**
 * How often a caught-up stream reads the store when no commit woke it: only where the file system
 * does not tell of changes (some network mounts); everywhere else each commit wakes it at once.
 */
const POLL_MS = 1000;
const BATCH = 500;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * The store's event log as server-sent events, each with its id. It resumes after `Last-Event-ID`
 * (a browser's reconnect sends it), else after `?after=`, else from now: the client that read a
 * page at event N asks for `?after=N` and misses nothing in between.
 */
export function eventStream(db: Db, database: string) {
  return (c: Context) =>
    streamSSE(c, async (stream) => {
      const closed = new AbortController();
      // Each stream its own watch: a commit between two reads still wakes the next wait.
      const changes = watchStore(database);
      stream.onAbort(() => {
        closed.abort();
        changes.close();
      });
      const resume = c.req.header("last-event-id") ?? c.req.query("after");
      let lastId = resume !== undefined && /^\d+$/.test(resume) ? Number(resume) : await latestEventId(db);
      await stream.writeSSE({ event: "ready", data: JSON.stringify({ after: lastId }), retry: 500 });
      let quietSince = Date.now();
      while (!closed.signal.aborted) {
        const events = await listEvents(db, { afterId: lastId, limit: BATCH });
        for (const event of events) {
          await stream.writeSSE({ id: String(event.id), event: "gaffer", data: JSON.stringify(event) });
          lastId = event.id;
        }
        if (events.length > 0) quietSince = Date.now();
        else if (Date.now() - quietSince > KEEPALIVE_MS) {
          await stream.write(": keepalive\n\n");
          quietSince = Date.now();
        }
        if (events.length < BATCH) await changes.next(POLL_MS, closed.signal);
      }
    });
}
