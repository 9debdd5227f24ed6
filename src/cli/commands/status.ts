import { readFactory } from "../../config/index.ts";
import { isOwnerAlive, openProjectReadOnly } from "../../engine/index.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration, MAX_TIMER_MS, parseDuration } from "../../config/index.ts";
import { GafferError } from "../../errors.ts";
import { daemonStatus, type DaemonStatus, factoryStatus, formatFactoryStatus } from "../../factory/index.ts";
import {
  ACTIVE_STATES,
  countItems,
  countRunsByState,
  type Db,
  EVENTS,
  eventsOfKind,
  lastEvent,
  listRuns,
  recentEventsOfKinds,
  RESUMABLE_STATES,
  type Run,
  TERMINAL_STATES,
  watchStore,
} from "../../store/index.ts";
import { detectSandbox, type SandboxSetting } from "../../sandbox/index.ts";
import { ago, color, formatTable, print, printJson, printJsonLine } from "../output.ts";
import { stateColor } from "./runs.ts";
import { printable } from "../../util/index.ts";

const RECENT = 5;
const MIN_REDRAW_MS = 50;

interface StatusOptions {
  json?: boolean;
  watch?: boolean;
  interval?: string;
}

/**
 * The factory's phase, roles and daemon (when it has roles), then items and runs. Reads only.
 * With --watch it redraws until Ctrl-C (a JSON line per refresh with --json).
 */
export async function status(cwd: string, options: StatusOptions): Promise<number> {
  if (!options.watch) return statusOnce(cwd, options);
  const every = parseInterval(options.interval);
  const live = process.stdout.isTTY === true && !options.json;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.on("SIGINT", onInterrupt);
  const project = await openProjectReadOnly(cwd);
  const changes = watchStore(project.paths.database);
  await project.close();
  try {
    while (!stop.signal.aborted) {
      const drawn = Date.now();
      if (live) process.stdout.write("\x1b[H\x1b[2J");
      await statusOnce(cwd, options);
      if (live)
        print(
          color.dim(
            `\nrefreshed ${new Date().toLocaleTimeString()} · on every change, at least every ${every / 1000}s · Ctrl-C to quit`,
          ),
        );
      // A busy factory commits many times a second: one redraw per MIN_REDRAW_MS takes them all.
      await sleep(Math.max(0, drawn + MIN_REDRAW_MS - Date.now()), undefined, { signal: stop.signal }).catch(
        () => {},
      );
      await changes.next(every, stop.signal);
    }
    return 0;
  } finally {
    changes.close();
    process.off("SIGINT", onInterrupt);
  }
}

function parseInterval(text: string | undefined): number {
  if (text === undefined) return 1000;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100 || ms > MAX_TIMER_MS) {
    throw new GafferError(
      "usage",
      `--interval "${text}" is not a duration between 100ms and ${formatDuration(MAX_TIMER_MS)}`,
      'write e.g. "2s"',
    );
  }
  return ms;
}

const COUNTED = ["proposed", "failed", "gave-up", "cancelled", "interrupted"] as const;

/** The runs status shows, read without loading the project's whole history. */
async function runsView(db: Db | undefined) {
  if (!db) {
    const counts = Object.fromEntries(COUNTED.map((state) => [state, 0]));
    return { openItems: 0, counts, active: [], resumable: [], recent: [] };
  }
  // A run whose gaffer process is gone is shown as interrupted; the next writing command records it.
  const live = await listRuns(db, { states: ACTIVE_STATES });
  const orphaned = live
    .filter((run) => run.owner && !isOwnerAlive(run.owner))
    .map((run) => ({ ...run, state: "interrupted" as const }));
  const active = live.filter((run) => !orphaned.some((o) => o.id === run.id));
  const byId = (a: Run, b: Run) => a.id - b.id;
  const resumable = [...(await listRuns(db, { states: RESUMABLE_STATES })), ...orphaned].sort(byId);
  const stopped = await listRuns(db, { states: [...RESUMABLE_STATES, ...TERMINAL_STATES], last: RECENT });
  const recent = [...stopped, ...orphaned].sort(byId).slice(-RECENT);
  const stored = await countRunsByState(db);
  const counts = Object.fromEntries(
    COUNTED.map((state) => [state, (stored[state] ?? 0) + (state === "interrupted" ? orphaned.length : 0)]),
  );
  return { openItems: await countItems(db, "open"), counts, active, resumable, recent };
}

async function statusOnce(cwd: string, options: StatusOptions): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const factory = await readFactory(project.root, project.config);
    const factoryView = factory.roles.length > 0 ? factoryStatus(factory, project.paths.stateDir) : null;
    const db = project.store?.db;
    const daemon = factoryView ? await daemonStatus(project.paths.stateDir, db, project.config) : null;
    const { openItems, counts, active, resumable, recent } = await runsView(db);
    const lastEvents = db ? await Promise.all(active.map((r) => lastEvent(db, r.id))) : [];
    const sandbox = sandboxStatus(project.config.sandbox.mode);
    const forge = project.config.tracker && db ? await forgeStatus(db) : null;
    if (options.json) {
      (options.watch ? printJsonLine : printJson)({
        root: project.root,
        config: project.config.file ?? null,
        sandbox,
        openItems,
        counts,
        active,
        resumable,
        recent,
        forge,
        factory: factoryView && daemon ? { ...factoryView, ...daemon } : null,
      });
      return 0;
    }
    if (factoryView && daemon) {
      for (const line of formatFactoryStatus(factoryView)) print(line);
      print();
      for (const line of formatDaemonStatus(daemon)) print(line);
      print();
    }
    print(color.bold(`gaffer · ${project.root}`));
    const confinement = sandbox.available ? "bubblewrap" : color.yellow(`none (${sandbox.reason})`);
    const mode =
      sandbox.mode === "default" ? "required (default; preferred for the scripted agent)" : sandbox.mode;
    print(`sandbox: ${confinement}   mode: ${mode}`);
    print(
      `config: ${project.config.file ?? "defaults (no gaffer.toml)"}   gate: ${project.config.gate.commands.map((c) => c.name).join(" → ") || color.yellow("none")}`,
    );
    if (forge?.throttled)
      print(
        `${color.yellow("forge throttled")}: ${printable(forge.throttled.line)} (until ${new Date(forge.throttled.until).toLocaleTimeString()})`,
      );
    print(
      `open items: ${openItems}   runs: ${Object.entries(counts)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ")}`,
    );
    if (active.length) {
      print();
      print(color.bold("in progress"));
      print(
        formatTable(
          ["RUN", "ITEM", "STATE", "ATTEMPT", "LAST EVENT"],
          active.map((r, i) => [
            String(r.id),
            `#${r.itemId}`,
            r.state,
            String(r.attempt),
            lastEvents[i] ? `${printable(lastEvents[i].type)} ${ago(lastEvents[i].at)}` : "",
          ]),
        ),
      );
    }
    if (resumable.length) {
      print();
      print(color.bold("resumable") + color.dim(" (gaffer run <item> --resume)"));
      print(
        formatTable(
          ["RUN", "ITEM", "STATE", "REASON"],
          resumable.map((r) => [
            String(r.id),
            `#${r.itemId}`,
            stateColor(r.state),
            printable(r.reason ?? ""),
          ]),
        ),
      );
    }
    if (recent.length) {
      print();
      print(color.bold("recent"));
      print(
        formatTable(
          ["RUN", "ITEM", "STATE", "BRANCH", "ENDED"],
          recent.map((r) => [
            String(r.id),
            `#${r.itemId}`,
            stateColor(r.state),
            printable(r.branch),
            r.endedAt ? ago(r.endedAt) : "",
          ]),
        ),
      );
    }
    return 0;
  } finally {
    await project.close();
  }
}

/** Whether the forge is throttling gaffer now: its latest rate-limit wait, while it lasts. */
async function forgeStatus(db: Db, now = Date.now()) {
  const [latest] = eventsOfKind(
    await recentEventsOfKinds(db, [EVENTS.trackerThrottled], 1),
    EVENTS.trackerThrottled,
  );
  return { throttled: latest && latest.data.until > now ? latest.data : null };
}

/** The daemon's line, the queue and the money, under the role table. */
function formatDaemonStatus(status: DaemonStatus): string[] {
  const daemon = status.daemon
    ? `daemon: ${color.green("up")} (pid ${status.daemon.pid}, since ${ago(status.daemon.since)})`
    : `daemon: ${color.dim("down")} (gaffer up)`;
  const paused = status.paused ? `   ${color.yellow("paused")} (gaffer resume)` : "";
  const claimed = status.claims.map((c) => `${printable(c.role)} #${c.item}`).join(", ");
  return [
    `${daemon}${paused}`,
    `queue: ${status.ready} ready   working: ${status.claims.length}${claimed ? ` (${claimed})` : ""}   awaiting review: ${status.awaitingReview}`,
    `spent: $${status.spent.today.toFixed(2)} today, $${status.spent.total.toFixed(2)} in all`,
    ...status.backends.map(
      (pause) =>
        `${color.yellow("plan limit")}: ${printable(pause.host)} until ${new Date(pause.until).toLocaleString()} holds ${pause.agents.map((agent) => printable(agent)).join(", ")} back`,
    ),
  ];
}

function sandboxStatus(mode: SandboxSetting): { mode: SandboxSetting; available: boolean; reason?: string } {
  if (mode === "off") return { mode, available: false, reason: 'turned off by [sandbox] mode = "off"' };
  const availability = detectSandbox();
  return {
    mode,
    available: availability.available,
    ...(availability.reason && { reason: availability.reason }),
  };
}
