import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  checkoutChanges,
  checkoutCommit,
  createWorkspace,
  openEvidenceRepo,
  recordWork,
  type Workspace,
  worktreeFingerprint,
} from "../src/workspace/index.ts";
import { runProcess } from "../src/util/process.ts";
import { generateRepository } from "./fixture.ts";
import { round, type Summary, summarize } from "./stats.ts";

export interface GateCheckoutCost {
  files: number;
  /** The gate in the agent's workspace: gaffer's fingerprint of it, then the command. */
  inPlaceMs: Summary;
  /** The gate on a fresh checkout: record the work, check it out, run the command, list what it left. */
  checkoutMs: Summary;
  extraMedianMs: number;
}

const IDENTITY = { name: "bench", email: "bench@localhost" };

/**
 * What running the gate on a fresh checkout of the recorded work costs over running it in place,
 * for a repository of `files` files after an agent turn that changed one file. The gate command
 * is `true`, unsandboxed, so only gaffer's own git work is measured; both are interleaved.
 */
export async function measureGateCheckout(
  scratch: string,
  files: number,
  iterations: number,
): Promise<GateCheckoutCost> {
  const repo = join(scratch, `repo-${files}`);
  generateRepository(repo, files);
  const { workspace } = await createWorkspace({
    project: repo,
    dir: join(scratch, `ws-${files}`),
    branch: "gaffer/bench",
    baseBranch: "main",
    identity: IDENTITY,
  });
  const evidence = await openEvidenceRepo(repo, join(scratch, `evidence-${files}.git`));
  const baseCommit = (await recordWork(evidence, workspace, options(""))).commit;
  const samples = { inPlace: [] as number[], checkout: [] as number[] };
  for (let i = 0; i < iterations; i++) {
    writeFileSync(join(workspace.dir, "BENCH.md"), `turn ${i}\n`);
    samples.inPlace.push(await timed(() => inPlace(workspace)));
    samples.checkout.push(
      await timed(async () => {
        const work = await recordWork(evidence, workspace, options(baseCommit));
        const checkout = await checkoutCommit(evidence, work.commit, join(scratch, `gate-${files}`));
        await gate(checkout.dir);
        await checkoutChanges(evidence, checkout);
      }),
    );
  }
  const inPlaceMs = summarize(samples.inPlace);
  const checkoutMs = summarize(samples.checkout);
  return { files, inPlaceMs, checkoutMs, extraMedianMs: round(checkoutMs.median - inPlaceMs.median) };
}

function options(baseCommit: string) {
  return { branch: "gaffer/bench", baseCommit, message: "bench", identity: IDENTITY };
}

async function inPlace(ws: Workspace): Promise<void> {
  await worktreeFingerprint(ws);
  await gate(ws.dir);
}

async function gate(cwd: string): Promise<void> {
  await runProcess("true", [], { cwd });
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
