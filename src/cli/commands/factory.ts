import { openProject } from "../../engine/index.ts";
import { EXIT, GafferError } from "../../errors.ts";
import {
  checkReady,
  factoryOf,
  findRole,
  ROLE_LABEL_PREFIX,
  runPersistentWorker,
  runWorker,
  setPaused,
  startDaemon,
  stopDaemon,
  supervise,
} from "../../factory/index.ts";
import { addItem } from "../../store/index.ts";
import { parseId, plural, print, printJson } from "../output.ts";

export async function up(cwd: string, options: { foreground?: boolean; json?: boolean }): Promise<number> {
  const project = await openProject(cwd);
  try {
    const factory = factoryOf(project);
    // A role reported running must be able to start its agent: refuse here, not in a log later.
    await checkReady(project.root, project.config, factory);
    if (options.foreground) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      print(`gaffer is up: ${plural(factory.roles.length, "role")}, in the foreground (Ctrl-C stops it)`);
      await supervise(project, controller.signal);
      return EXIT.proposal;
    }
    const record = await startDaemon(project);
    if (options.json) printJson({ up: true, ...record, roles: factory.roles.length });
    else {
      print(`gaffer is up: ${plural(factory.roles.length, "role")} (supervisor pid ${record.pid})`);
      print("  watch: gaffer status --watch    pause: gaffer pause    stop: gaffer down");
    }
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

export async function down(cwd: string, options: { json?: boolean }): Promise<number> {
  const project = await openProject(cwd);
  try {
    const result = await stopDaemon(project);
    if (options.json) printJson({ stopped: result.stopped ?? null, killed: result.killed });
    else if (!result.stopped && result.killed === 0) print("gaffer is not up here: nothing to stop");
    else {
      const leftovers = result.killed > 0 ? `; ${plural(result.killed, "leftover process")} killed` : "";
      print(`gaffer is down: runs cancelled, workspaces kept${leftovers}`);
    }
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

export async function pause(cwd: string): Promise<number> {
  return switchPaused(cwd, true);
}

export async function resume(cwd: string): Promise<number> {
  return switchPaused(cwd, false);
}

async function switchPaused(cwd: string, paused: boolean): Promise<number> {
  const project = await openProject(cwd);
  try {
    const was = await setPaused(project, paused);
    if (paused)
      print(was ? "already paused" : "paused: no new work starts; running work goes on (gaffer resume)");
    else print(was ? "resumed: new work starts again" : "not paused");
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

/** The supervisor's process, started by `gaffer up`. */
export async function superviseCommand(cwd: string): Promise<number> {
  const project = await openProject(cwd);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    await supervise(project, controller.signal);
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

/** One role process, started by the supervisor. */
export async function worker(
  cwd: string,
  duty: string,
  options: { role: string; item?: string; holder: string; run?: string },
): Promise<number> {
  if (duty === "persistent") return runPersistentWorker(cwd, options.role, options.holder);
  if (duty !== "build" && duty !== "review")
    throw new GafferError("usage", `gaffer worker: unknown duty "${duty}"`, "build, review or persistent");
  if (options.item === undefined) throw new GafferError("usage", `gaffer worker ${duty} needs --item`);
  return runWorker(cwd, duty, {
    role: options.role,
    holder: options.holder,
    itemId: parseId(options.item, "item"),
    ...(options.run !== undefined && { runId: parseId(options.run, "run") }),
  });
}

/** Sends a message to a role: an item only that role takes (a persistent role works it in its session). */
export async function tell(
  cwd: string,
  roleName: string,
  words: string[],
  options: { json?: boolean },
): Promise<number> {
  const project = await openProject(cwd);
  try {
    const role = findRole(factoryOf(project), roleName);
    const message = words.join(" ").trim();
    if (message === "")
      throw new GafferError("usage", "gaffer tell: the message is empty", `gaffer tell ${role.name} "…"`);
    const item = await addItem(project.store.db, {
      title: message.split("\n")[0]?.slice(0, 72) ?? message,
      body: message,
      labels: [`${ROLE_LABEL_PREFIX}${role.name}`],
      source: "tell",
    });
    if (options.json) printJson(item);
    else print(`told ${role.name}: item #${item.id}`);
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}
