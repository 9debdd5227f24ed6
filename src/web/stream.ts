import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { type Db, latestEventId, listEvents } from "../store/index.ts";
import type { StoreChanges } from "./store-changes.ts";

/**
 * How often a caught-up stream looks for new events at the latest, when no change of the store's
 * files woke it first: other processes append to the store. One indexed read (`id > last`) costs
 * tens of microseconds, and the page's event-to-screen budget is 100 ms.
 */
const POLL_MS = 25;
const BATCH = 500;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * The store's event log as server-sent events, each with its id. It resumes after `Last-Event-ID`
 * (a browser's reconnect sends it), else after `?after=`, else from now: the client that read a
 * page at event N asks for `?after=N` and misses nothing in between.
 */
export function eventStream(db: Db, changes: StoreChanges) {
  return (c: Context) =>
    streamSSE(c, async (stream) => {
      const closed = new AbortController();
      stream.onAbort(() => closed.abort());
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
