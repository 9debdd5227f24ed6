import { type Project } from "../engine/index.ts";
import { addItem, listItems, setItemState } from "../store/index.ts";
import { defaultBranchTip } from "../workspace/index.ts";
import { oneshotGate } from "./gate.ts";
import { oneshotAgent, type OneshotOptions, type OneshotResult, runOneshot } from "./run-oneshot.ts";
import { plantRedBuild } from "./simulate.ts";

const SELF_HEAL_SOURCE = "self-heal";

/**
 * `gaffer self-heal`: gaffer runs the gate on the default branch's tip first; red, its failure is
 * the agent's brief and the heal loop goes on from there on `agent/self-heal`; green, there was
 * nothing to heal. With `--simulate`, the red build is the runner's demo target, committed on top
 * of the tip for this run only (no branch of yours moves).
 */
export async function selfHeal(project: Project, options: OneshotOptions): Promise<OneshotResult> {
  const agent = oneshotAgent(project, "self-heal", options);
  const { branch, commit: tip } = await defaultBranchTip(project.root, project.config.project.defaultBranch);
  const commit = options.simulate
    ? await plantRedBuild(project.root, tip, project.config.workspace.identity)
    : tip;
  return runOneshot(
    project,
    {
      agent,
      itemId: await selfHealItem(project, branch),
      gate: oneshotGate(project.root, project.config, options.simulate !== undefined),
      plan: { branch: "agent/self-heal", base: { branch, commit }, gateFirst: true },
    },
    options,
  );
}

/** The one item every self-heal runs under, open again for this one. */
async function selfHealItem(project: Project, branch: string): Promise<number> {
  const db = project.store.db;
  const existing = (await listItems(db, { state: "all" })).find((item) => item.source === SELF_HEAL_SOURCE);
  if (existing) {
    if (existing.state === "closed") await setItemState(db, existing.id, "open");
    return existing.id;
  }
  const item = await addItem(db, {
    title: "Self-heal: make the failing gate pass",
    body: `The gate (what CI runs) is red on ${branch}. Fix the code so it passes.`,
    source: SELF_HEAL_SOURCE,
  });
  return item.id;
}
