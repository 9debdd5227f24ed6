import { existsSync } from "node:fs";
import { type Fleet, type FleetProject, loadConfig, readFactory, shownPath } from "../config/index.ts";
import { openProjectReadOnly } from "../engine/index.ts";
import { GafferError, isGafferError, messageOf } from "../errors.ts";
import { listItems, listRuns } from "../store/index.ts";
import { resolveProjectRoot } from "../workspace/index.ts";
import { runningDaemon } from "./ownership.ts";
import { factoryStatus } from "./status-table.ts";

/** Checks every project of a fleet: its path exists, is a git repository, and its configuration reads. */
export async function validateFleet(fleet: Fleet): Promise<void> {
  const roots = new Map<string, string>();
  for (const project of fleet.projects) {
    const root = await checkProject(fleet, project);
    const other = roots.get(root);
    if (other !== undefined)
      throw fleetProblem(
        fleet,
        project,
        "path",
        `${root} is projects.${other} too`,
        "list each repository once",
      );
    roots.set(root, project.name);
  }
}

async function checkProject(fleet: Fleet, project: FleetProject): Promise<string> {
  if (!existsSync(project.path))
    throw fleetProblem(
      fleet,
      project,
      "path",
      `${project.path} does not exist`,
      "fix the path, or remove the project",
    );
  let root: string;
  try {
    root = await resolveProjectRoot(project.path);
  } catch (error) {
    if (!isGafferError(error) || error.code !== "not-a-repo") throw error;
    throw fleetProblem(
      fleet,
      project,
      "path",
      `${project.path} is not a git repository`,
      "fix the path, or run `git init` there",
    );
  }
  try {
    await readFactory(root, loadConfig(root));
  } catch (error) {
    if (!isGafferError(error)) throw error;
    throw fleetProblem(
      fleet,
      project,
      undefined,
      error.message,
      error.hint ?? "fix that project's configuration",
    );
  }
  return root;
}

function fleetProblem(
  fleet: Fleet,
  project: FleetProject,
  key: string | undefined,
  message: string,
  hint: string,
): GafferError {
  const where = `${shownPath(fleet.file)}${project.line ? `:${project.line}` : ""}`;
  return new GafferError(
    "config-invalid",
    `${where}: projects.${project.name}${key ? `.${key}` : ""}: ${message}`,
    hint,
  );
}

/** One project as `gaffer fleet status` shows it; `error` says why the rest is unknown. */
export interface ProjectStatus {
  name: string;
  path: string;
  enabled: boolean;
  daemon: { running: boolean; pid: number | null };
  roles: { running: number; total: number };
  openItems: number;
  proposals: number;
  error: string | null;
}

/** Reads each project's store, pid files and daemon record; writes nothing. */
export async function fleetStatus(fleet: Fleet): Promise<ProjectStatus[]> {
  return Promise.all(fleet.projects.map((project) => projectStatus(project)));
}

async function projectStatus(project: FleetProject): Promise<ProjectStatus> {
  const base = { name: project.name, path: project.path, enabled: project.enabled };
  const unknown = {
    daemon: { running: false, pid: null },
    roles: { running: 0, total: 0 },
    openItems: 0,
    proposals: 0,
  };
  if (!existsSync(project.path)) return { ...base, ...unknown, error: "path does not exist" };
  try {
    const opened = await openProjectReadOnly(project.path);
    try {
      const db = opened.store?.db;
      const roles = factoryStatus(await readFactory(opened.root, opened.config), opened.paths.stateDir).roles;
      return {
        ...base,
        daemon: daemonOf(opened.paths.stateDir),
        roles: { running: roles.filter((role) => role.state === "running").length, total: roles.length },
        openItems: db ? (await listItems(db, { state: "open" })).length : 0,
        proposals: db ? (await listRuns(db)).filter((run) => run.state === "proposed").length : 0,
        error: null,
      };
    } finally {
      await opened.close();
    }
  } catch (error) {
    if (!isGafferError(error)) throw error;
    return { ...base, ...unknown, error: messageOf(error) };
  }
}

function daemonOf(stateDir: string): { running: boolean; pid: number | null } {
  const record = runningDaemon(stateDir);
  return { running: record !== undefined, pid: record?.pid ?? null };
}
