import { closeSync, openSync, writeSync } from "node:fs";
import { loadConfig, loadFactory } from "../config/index.ts";
import {
  CANCEL_HOSTED_SIGNAL,
  eventLine,
  hostedOwnerToken,
  interruptRunsOf,
  type NudgeSource,
  openProject,
  type Project,
  takeCancelRequest,
} from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { errorReport, lowerPriority } from "../util/index.ts";
import { factoryDirs, logFile } from "./children.ts";
import type { FromWorker, HostedTask, ToWorker } from "./host-protocol.ts";
import { projectForRole } from "./role-run.ts";
import { workClaimed } from "./worker.ts";
import { WORKER_EXIT } from "./worker-exit.ts";

/** The channel a worker hears the supervisor on: Node's IPC with its parent, or a queue. */
export interface WorkerChannel {
  onMessage(listener: (message: ToWorker) => void): void;
  /** Called once the supervisor is gone: no more tasks will come. */
  onClose(listener: () => void): void;
  send(message: FromWorker): void;
  /** The worker is done: the channel no longer keeps it alive. */
  close(): void;
}

/** The supervisor that started this process, over Node's IPC channel. */
function parentChannel(): WorkerChannel {
  const send = process.send?.bind(process);
  if (!send)
    throw new GafferError(
      "usage",
      "gaffer worker host takes its tasks from the supervisor",
      "start it with `gaffer up`",
    );
  return {
    onMessage: (listener) => process.on("message", (message) => listener(message as ToWorker)),
    onClose: (listener) => process.once("disconnect", listener),
    send: (message) => {
      send(message, undefined, undefined, () => {});
    },
    close: () => process.channel?.unref(),
  };
}

interface Hosted {
  task: HostedTask;
  /** The lease on the task's run: this process's owner token with the task's number. */
  owner: string;
  controller: AbortController;
  nudges: Set<() => void>;
}

/**
 * A worker process hosting runs: it works every task the supervisor hands it at once, each with
 * its own owner token, cancel signal, nudges and log (`.gaffer/factory/logs/<task>.log`), and
 * reports each task's end with the code a one-run process would exit with. One task's failure
 * ends that task alone. SIGTERM cancels every task (their workspaces are kept) and the worker
 * exits once they have stopped; so it does once the supervisor is gone and its tasks are done.
 */
export async function runWorkerHost(cwd: string, channel = parentChannel()): Promise<number> {
  const opened = await openProject(cwd);
  // The bulk work yields the CPU to the supervisor, the dashboard and the user's own commands.
  const { workerNice, agentNice } = loadFactory(opened.root, opened.config).settings;
  lowerPriority(workerNice, agentNice);
  const hosted = new Map<string, Hosted>();
  let sequence = 0;
  let closing = false;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const finishIfIdle = () => {
    if (closing && hosted.size === 0) finish();
  };

  const start = (task: HostedTask) => {
    if (closing || hosted.has(task.name)) return;
    const entry: Hosted = {
      task,
      owner: hostedOwnerToken(++sequence),
      controller: new AbortController(),
      nudges: new Set(),
    };
    hosted.set(task.name, entry);
    void workTask(opened, entry).then((code) => {
      hosted.delete(task.name);
      channel.send({ kind: "ended", name: task.name, code });
      finishIfIdle();
    });
  };
  const stopAll = () => {
    closing = true;
    for (const entry of hosted.values()) entry.controller.abort();
    finishIfIdle();
  };
  const cancelRequested = () => {
    for (const entry of hosted.values())
      if (takeCancelRequest(opened.paths, entry.owner)) entry.controller.abort();
  };

  channel.onMessage((message) => {
    if (message.kind === "start") return start(message.task);
    const entry = hosted.get(message.name);
    if (message.kind === "cancel") entry?.controller.abort();
    else for (const nudge of entry?.nudges ?? []) nudge();
  });
  channel.onClose(() => {
    closing = true;
    finishIfIdle();
  });
  process.on("SIGTERM", stopAll);
  process.on("SIGINT", stopAll);
  process.on(CANCEL_HOSTED_SIGNAL, cancelRequested);
  try {
    await finished;
    return WORKER_EXIT.done;
  } finally {
    process.off("SIGTERM", stopAll);
    process.off("SIGINT", stopAll);
    process.off(CANCEL_HOSTED_SIGNAL, cancelRequested);
    await opened.close();
    channel.close();
  }
}

/**
 * One task, as a one-run process would work it: the role's configuration read afresh (gaffer.toml
 * may have changed since the worker started), its events and its one-line error in its own log.
 */
async function workTask(opened: Project, entry: Hosted): Promise<number> {
  const { task } = entry;
  const log = openSync(logFile(factoryDirs(opened.paths.stateDir), task.name), "a");
  const write = (line: string) => {
    try {
      writeSync(log, `${line}\n`);
    } catch {
      // A log that cannot be written (a full disk) must not end the run; the store has its events.
    }
  };
  try {
    const view = projectForRole(opened, loadConfig(opened.root), task.role);
    const { factory, role } = view;
    return await workClaimed(
      {
        project: { ...view.project, owner: entry.owner },
        factory,
        role,
        cancelled: entry.controller.signal,
        nudges: nudgeSource(entry.nudges),
        observer: { onNotice: (notice) => write(`run ${notice.runId} ${eventLine(notice)}`) },
      },
      task.duty,
      task,
    );
  } catch (error) {
    const report = errorReport(error);
    for (const line of report.lines) write(line);
    return report.exitCode;
  } finally {
    // A run its task left active (an error the store could not take) has no one driving it.
    await interruptRunsOf(opened.store.db, entry.owner).catch(() => {});
    takeCancelRequest(opened.paths, entry.owner);
    closeSync(log);
  }
}

function nudgeSource(listeners: Set<() => void>): NudgeSource {
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
