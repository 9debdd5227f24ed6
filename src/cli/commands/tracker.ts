import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration, type TrackerConfig } from "../../config/index.ts";
import { openProject, openProjectReadOnly, secretRedactor } from "../../engine/index.ts";
import { GafferError, isGafferError } from "../../errors.ts";
import { DEFAULT_TUNING, openTracker, type SyncReport, syncTracker } from "../../intake/index.ts";
import { getItem, type Db } from "../../store/index.ts";
import { printable } from "../../util/index.ts";
import { color, print, printJson } from "../output.ts";

/** `gaffer tracker check`: proves the credentials can read, assign and label the forge's issues. Reads only. */
export async function trackerCheck(cwd: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const config = requireTracker(project.config.tracker, project.config.file);
    const tracker = openTracker(config, process.env, throttleNotices());
    const verified = await tracker.check();
    if (options.json) printJson({ tracker: tracker.where, verified });
    else
      for (const line of [`${tracker.where}: ready`, ...verified])
        print(`${color.green("ok")}  ${printable(line)}`);
    return 0;
  } finally {
    await project.close();
  }
}

/**
 * `gaffer tracker sync [--every <duration>]`: brings the forge's issues into the store as items.
 * With --every it keeps syncing until stopped, riding out a forge that is down for a while.
 */
export async function trackerSync(cwd: string, options: { every?: string; json?: boolean }): Promise<number> {
  const every = options.every === undefined ? undefined : interval(options.every);
  const project = await openProject(cwd);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const config = requireTracker(project.config.tracker, project.config.file);
    const tracker = openTracker(config, process.env, throttleNotices());
    const redact = await secretRedactor(project);
    do {
      try {
        const report = await syncTracker(project.store.db, tracker, config.labels, { redact });
        if (options.json) printJson({ tracker: tracker.where, ...report });
        else await printReport(project.store.db, tracker.where, report);
      } catch (error) {
        if (every === undefined || !isGafferError(error) || error.code !== "tracker-unavailable") throw error;
        process.stderr.write(`gaffer: ${printable(error.message)}\n`);
      }
      if (every !== undefined) await sleep(every, undefined, { signal: stop.signal }).catch(() => {});
    } while (every !== undefined && !stop.signal.aborted);
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await project.close();
  }
}

async function printReport(db: Db, where: string, report: SyncReport): Promise<void> {
  print(
    `${printable(where)}: ${report.fetched} issues read, ${report.created.length} new items, ${report.changed.length} changed`,
  );
  for (const id of [...report.created, ...report.changed]) {
    const item = await getItem(db, id);
    print(
      `  #${item.id} ${item.state === "open" ? "" : color.dim(`(${item.state}) `)}${printable(item.title)}`,
    );
  }
  for (const { number, dependency } of report.unresolved) {
    print(color.dim(`  issue #${number} depends on #${dependency}, which the forge does not have: ignored`));
  }
}

function requireTracker(tracker: TrackerConfig | undefined, file: string | undefined): TrackerConfig {
  if (tracker) return tracker;
  throw new GafferError(
    "config-invalid",
    `${file ?? "gaffer.toml"}: no [tracker]`,
    'add [tracker] with kind, repo and token_env, e.g. kind = "github", repo = "owner/name" (docs/FORGES.md)',
  );
}

function interval(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new GafferError("usage", `--every "${text}" is not a duration`, "e.g. --every 1m or --every 30s");
  return ms;
}

/** A throttled forge is said on stderr as it happens, one line each time. */
function throttleNotices() {
  return {
    ...DEFAULT_TUNING,
    onThrottle: (line: string) => process.stderr.write(`gaffer: ${printable(line)}\n`),
  };
}
