import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { z } from "zod";
import { GafferError } from "../../errors.ts";
import { workspaceGit, type Workspace } from "../../workspace/index.ts";
import type { baselineSchema } from "./baseline-schema.ts";
import { configDigest, hookDigests, restoredConfigCopies } from "./git-dir.ts";

/** What a workspace's git metadata looked like before the agent ran, to compare with afterwards. */
export type Baseline = z.infer<typeof baselineSchema>;

/** Records the workspace's refs, hooks, config and base commit; take it before the agent's first turn. */
export async function captureBaseline(ws: Workspace): Promise<Baseline> {
  // Read before any git command: workspaceGit restores a changed config, which would hide it here.
  const configSha256 = await configDigest(ws);
  const hooks = await hookDigests(ws);
  const restoredConfigs = await restoredConfigCopies(ws);
  const [baseCommit, refs] = await Promise.all([
    workspaceGit(ws, ["rev-parse", "--verify", "HEAD^{commit}"]),
    listRefs(ws),
  ]);
  return { version: 1, baseCommit, refs, hooks, configSha256, restoredConfigs };
}

/** Every ref of the workspace's clone with the object it names. */
export async function listRefs(ws: Workspace): Promise<Record<string, string>> {
  const output = await workspaceGit(ws, ["for-each-ref", "--format=%(refname) %(objectname)"]);
  const refs: Record<string, string> = {};
  for (const line of output.split("\n").filter((entry) => entry !== "")) {
    const space = line.lastIndexOf(" ");
    refs[line.slice(0, space)] = line.slice(space + 1);
  }
  return refs;
}

/** Writes the baseline as JSON, atomically, creating the directory if needed. */
export async function saveBaseline(path: string, baseline: Baseline): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(baseline, null, 2)}\n`);
  await rename(tmp, path);
}

/** Reads a baseline saveBaseline wrote; throws a GafferError when it is missing or malformed. */
export async function loadBaseline(path: string): Promise<Baseline> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new GafferError("invalid-input", `cannot read the integrity baseline ${path}`, undefined, {
      cause: error,
    });
  });
  // Loaded on first use, once the agent has had a turn: a run starts its agent without it.
  const { baselineSchema } = await import("./baseline-schema.ts");
  const parsed = baselineSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw new GafferError(
      "invalid-input",
      `${path} is not an integrity baseline gaffer wrote`,
      "discard the run: its workspace cannot be verified without its baseline",
    );
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
