import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import type { AuditFiles } from "./audit.ts";
import type { ActionRequest, ActionResult } from "./request.ts";

/**
 * The vault's folders, as disinto lays them out: an action's file moves (by an atomic rename)
 * from `pending/` to `approved/` to `fired/`, or to `rejected/`. A fired action's result sits next
 * to it as `<id>.result.json`. The request file itself is never rewritten.
 *
 * - pending: waiting for review (medium) or for an approver (high)
 * - approved: decided; gaffer fires it next
 * - fired: handed to its executor; done once its result is there
 * - rejected: rejected with a reason, or expired unreviewed
 */
const ACTION_STATES = ["pending", "approved", "fired", "rejected"] as const;

export type ActionState = (typeof ACTION_STATES)[number];

export interface StoredAction {
  state: ActionState;
  request: ActionRequest;
  result?: ActionResult;
}

export interface VaultPaths {
  dir: string;
  audit: AuditFiles;
  file(state: ActionState, id: string): string;
  result(id: string): string;
}

export function vaultPaths(root: string): VaultPaths {
  const dir = join(root, ".gaffer", "vault");
  return {
    dir,
    audit: { log: join(dir, "audit.jsonl"), head: join(dir, "audit.head") },
    file: (state, id) => join(dir, state, `${id}.json`),
    result: (id) => join(dir, "fired", `${id}.result.json`),
  };
}

export function findAction(paths: VaultPaths, id: string): StoredAction | undefined {
  const state = ACTION_STATES.find((s) => existsSync(paths.file(s, id)));
  return state ? readAction(paths, state, id) : undefined;
}

/** Every action in the vault, oldest request first. Reads only. */
export function listActions(paths: VaultPaths): StoredAction[] {
  return ACTION_STATES.flatMap((state) => {
    const folder = join(paths.dir, state);
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((name) => name.endsWith(".json") && !name.endsWith(".result.json"))
      .map((name) => readAction(paths, state, name.slice(0, -".json".length)));
  }).sort(
    (a, b) => a.request.requestedAt - b.request.requestedAt || a.request.id.localeCompare(b.request.id),
  );
}

function readAction(paths: VaultPaths, state: ActionState, id: string): StoredAction {
  const request = readJson<ActionRequest>(paths.file(state, id));
  const resultFile = paths.result(id);
  const result = state === "fired" && existsSync(resultFile) ? readJson<ActionResult>(resultFile) : undefined;
  return { state, request, ...(result && { result }) };
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    throw new GafferError(
      "integrity",
      `${file} is not the JSON gaffer wrote`,
      "run `gaffer vault verify`; restore it from a backup",
    );
  }
}

/** Writes a new request into `state`'s folder. The caller holds the vault's lock and checked the id is free. */
export async function writeAction(
  paths: VaultPaths,
  state: ActionState,
  request: ActionRequest,
): Promise<void> {
  await writeAtomically(paths.file(state, request.id), `${JSON.stringify(request, null, 2)}\n`);
}

export async function moveAction(
  paths: VaultPaths,
  id: string,
  from: ActionState,
  to: ActionState,
): Promise<void> {
  await mkdir(join(paths.dir, to), { recursive: true });
  await rename(paths.file(from, id), paths.file(to, id));
}

export async function writeResult(paths: VaultPaths, result: ActionResult): Promise<void> {
  await writeAtomically(paths.result(result.id), `${JSON.stringify(result, null, 2)}\n`);
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(join(file, ".."), { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  await writeFile(staging, text);
  await rename(staging, file);
}
