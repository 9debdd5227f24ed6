import type { TrackerConfig } from "../config/index.ts";
import { messageOf } from "../errors.ts";
import { openTracker, startWebhookReceiver, syncTracker, type WebhookReceiver } from "../intake/index.ts";
import { appendEvent, type Db, EVENTS } from "../store/index.ts";

/**
 * The forge's issues kept in step while the factory is up: one sync at start (catch-up for what
 * happened while gaffer was down), one at once after each new signed webhook delivery, and one
 * every `[tracker] poll` whatever happens (a missed delivery is found then). Syncs never overlap:
 * deliveries that arrive during one make exactly one more.
 */
export interface ForgeIntake {
  /** Where the webhook receiver listens; undefined without `[tracker.webhook]`. */
  receiver: WebhookReceiver | undefined;
  /** Resolves once the intake has stopped (the signal aborted). */
  done: Promise<void>;
}

type Trigger = "start" | "webhook" | "poll";

export async function startForgeIntake(
  db: Db,
  config: TrackerConfig,
  signal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ForgeIntake> {
  const tracker = openTracker(config, env);
  let wanted: Trigger | undefined = "start";
  let wake: () => void = () => {};
  const request = (trigger: Trigger) => {
    wanted ??= trigger;
    wake();
  };
  const receiver =
    config.webhook &&
    (await startWebhookReceiver({ ...config, webhook: config.webhook }, env, {
      onDelivery: (delivery) => {
        void appendEvent(db, {}, EVENTS.trackerDelivery, {
          delivery: delivery.id,
          event: delivery.event,
          replay: false,
        });
        request("webhook");
      },
      onReplay: (delivery) =>
        void appendEvent(db, {}, EVENTS.trackerDelivery, {
          delivery: delivery.id,
          event: delivery.event,
          replay: true,
        }),
      onRefused: (reason, refused) =>
        void appendEvent(db, {}, EVENTS.trackerDeliveryRefused, { reason, refused }),
    }));

  const sync = async (trigger: Trigger) => {
    try {
      const report = await syncTracker(db, tracker, config.labels);
      await appendEvent(db, {}, EVENTS.trackerSynced, {
        trigger,
        fetched: report.fetched,
        created: report.created.length,
        changed: report.changed.length,
      });
    } catch (error) {
      await appendEvent(db, {}, EVENTS.supervisorError, { error: `tracker sync: ${messageOf(error)}` });
    }
  };

  const loop = async () => {
    while (!signal.aborted) {
      const trigger = wanted;
      wanted = undefined;
      if (trigger) await sync(trigger);
      if (wanted || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => request("poll"), config.pollMs);
        const stop = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", stop);
          resolve();
        };
        wake = stop;
        signal.addEventListener("abort", stop, { once: true });
      });
      wake = () => {};
    }
    await receiver?.close();
  };
  return { receiver, done: loop() };
}
