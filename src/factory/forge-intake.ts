import type { TrackerConfig } from "../config/index.ts";
import { type Project, secretRedactor } from "../engine/index.ts";
import { messageOf } from "../errors.ts";
import {
  DEFAULT_TUNING,
  openTracker,
  startWebhookReceiver,
  syncTracker,
  type WebhookReceiver,
} from "../intake/index.ts";
import { appendEvent, type Db, EVENTS } from "../store/index.ts";
import { PullWatcher } from "./pull-watch.ts";

/**
 * The forge kept in step while the factory is up: one pass at start (catch-up for what happened
 * while gaffer was down), one at once after each new signed webhook delivery, and one every
 * `[tracker] poll` whatever happens (a missed delivery is found then). A pass syncs the issues
 * and, given the project, reads the published runs' pull requests and reacts ([reactions]).
 * Passes never overlap: deliveries that arrive during one make exactly one more. Between passes,
 * every `settleMs`, what needs no forge read is settled: proposals published, answers posted.
 */
export interface ForgeIntake {
  /** Where the webhook receiver listens; undefined without `[tracker.webhook]`. */
  receiver: WebhookReceiver | undefined;
  /** Resolves once the intake has stopped (the signal aborted). */
  done: Promise<void>;
}

type Trigger = "start" | "webhook" | "poll";

/** How often, between passes, gaffer settles what needs no forge read (publishing, answers). */
const SETTLE_MS = 1000;

export async function startForgeIntake(
  db: Db,
  config: TrackerConfig,
  signal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
  options: {
    project?: Project;
    settleMs?: number;
    /** Called after each look at the forge: the supervisor acts on what it found at once. */
    synced?: () => void;
  } = {},
): Promise<ForgeIntake> {
  const tracker = openTracker(config, env, {
    ...DEFAULT_TUNING,
    onThrottle: (line, waitMs) =>
      void appendEvent(db, {}, EVENTS.trackerThrottled, { line, until: Date.now() + (waitMs ?? 0) }).catch(
        () => {},
      ),
  });
  const watcher = options.project && new PullWatcher(options.project, tracker);
  const { project } = options;
  const redactor = async () => (project ? await secretRedactor(project) : (text: string) => text);
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
  if (receiver) await appendEvent(db, {}, EVENTS.trackerListening, { url: receiver.url });

  const sync = async (trigger: Trigger) => {
    try {
      const report = await syncTracker(db, tracker, config.labels, { redact: await redactor() });
      await appendEvent(db, {}, EVENTS.trackerSynced, {
        trigger,
        fetched: report.fetched,
        created: report.created.length,
        changed: report.changed.length,
      });
    } catch (error) {
      await appendEvent(db, {}, EVENTS.supervisorError, { error: `tracker sync: ${messageOf(error)}` });
    }
    if (watcher) {
      try {
        const report = await watcher.pass();
        if (report.pulls > 0)
          await appendEvent(db, {}, EVENTS.trackerPullsWatched, { trigger, ...report, requests: 0 });
      } catch (error) {
        await appendEvent(db, {}, EVENTS.supervisorError, { error: `pull requests: ${messageOf(error)}` });
      }
    }
    options.synced?.();
  };

  const settle = async () => {
    try {
      await watcher?.settle();
    } catch (error) {
      await appendEvent(db, {}, EVENTS.supervisorError, { error: `reactions: ${messageOf(error)}` });
    }
  };

  const loop = async () => {
    let nextPoll = Date.now() + config.pollMs;
    while (!signal.aborted) {
      const trigger = wanted ?? (Date.now() >= nextPoll ? "poll" : undefined);
      wanted = undefined;
      if (trigger) {
        await sync(trigger);
        nextPoll = Date.now() + config.pollMs;
      } else await settle();
      if (wanted || signal.aborted) continue;
      const waitMs = Math.max(
        0,
        Math.min(nextPoll - Date.now(), watcher ? (options.settleMs ?? SETTLE_MS) : Infinity),
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(stop, waitMs);
        function stop() {
          clearTimeout(timer);
          signal.removeEventListener("abort", stop);
          resolve();
        }
        wake = stop;
        signal.addEventListener("abort", stop, { once: true });
      });
      wake = () => {};
    }
    await receiver?.close();
  };
  return { receiver, done: loop() };
}
