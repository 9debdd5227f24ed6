import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Sandbox, createSandbox } from "../src/sandbox/index.ts";
import { runProcess } from "../src/util/process.ts";
import { type Summary, round, summarize } from "./stats.ts";

export interface SandboxOverhead {
  /** `/bin/true`, spawned plainly. */
  plainSpawnMs: Summary;
  /** `/bin/true` through the bwrap sandbox (network none). */
  sandboxSpawnMs: Summary;
  extraMedianMs: number;
  /** `node -e 0`, spawned plainly and sandboxed: the cost for a real agent or gate command. */
  plainNodeMs: Summary;
  sandboxNodeMs: Summary;
  nodeExtraMedianMs: number;
}

/**
 * What the bwrap sandbox adds to starting a process: `/bin/true` and `node -e 0`, plainly and
 * wrapped, interleaved so cache warmth and background load hit both alike. The sandbox is built
 * once (as for a run); each sample is one wrap + spawn + exit. Throws when bwrap is unavailable.
 */
export async function measureSandboxOverhead(iterations: number): Promise<SandboxOverhead> {
  const scratch = mkdtempSync(join(tmpdir(), "gaffer-bench-sandbox-"));
  const sandbox = createSandbox(benchPolicy(scratch), "bwrap");
  const samples = {
    plain: [] as number[],
    sandbox: [] as number[],
    plainNode: [] as number[],
    sandboxNode: [] as number[],
  };
  const node = [process.execPath, "-e", "0"];
  try {
    const cwd = join(scratch, "workspace");
    for (let i = 0; i < iterations; i++) {
      samples.plain.push(await timed(undefined, ["/bin/true"], cwd));
      samples.sandbox.push(await timed(sandbox, ["/bin/true"], cwd));
      samples.plainNode.push(await timed(undefined, node, cwd));
      samples.sandboxNode.push(await timed(sandbox, node, cwd));
    }
  } finally {
    await sandbox.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const [plainSpawnMs, sandboxSpawnMs, plainNodeMs, sandboxNodeMs] = [
    samples.plain,
    samples.sandbox,
    samples.plainNode,
    samples.sandboxNode,
  ].map(summarize) as [Summary, Summary, Summary, Summary];
  return {
    plainSpawnMs,
    sandboxSpawnMs,
    extraMedianMs: round(sandboxSpawnMs.median - plainSpawnMs.median),
    plainNodeMs,
    sandboxNodeMs,
    nodeExtraMedianMs: round(sandboxNodeMs.median - plainNodeMs.median),
  };
}

/** A run-like policy: a git workspace (so the git metadata mounts are included), private home and tmp. */
function benchPolicy(scratch: string) {
  const [workspace, home, tmp] = ["workspace", "home", "tmp"].map((name) => join(scratch, name)) as [
    string,
    string,
    string,
  ];
  for (const dir of [home, tmp]) mkdirSync(dir);
  execFileSync("git", ["init", "--quiet", workspace]);
  return {
    workspace,
    home,
    tmp,
    writable: [],
    readOnly: [],
    deny: [],
    network: { mode: "none" as const },
    envAllow: ["PATH"],
    env: {},
  };
}

/** Milliseconds to wrap (when sandboxed), spawn and reap `argv`. */
async function timed(sandbox: Sandbox | undefined, argv: string[], cwd: string): Promise<number> {
  const started = performance.now();
  const wrapped = sandbox ? sandbox.wrap(argv, { cwd }) : { argv, env: { PATH: process.env.PATH } };
  const [file = "", ...args] = wrapped.argv;
  const result = await runProcess(file, args, { cwd, env: wrapped.env });
  if (result.exitCode !== 0)
    throw new Error(`${argv.join(" ")} failed: ${result.spawnError ?? result.output}`);
  return performance.now() - started;
}
