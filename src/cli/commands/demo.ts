import { relative } from "node:path";
import { runDemo, runForgeDemo } from "../../demo/index.ts";
import { color, formatTable, print } from "../output.ts";
import { RunProgress } from "../progress.ts";
import { scriptedAgentCommand } from "./run.ts";

export async function demo(_cwd: string, options: { dir?: string; forge?: boolean }): Promise<number> {
  if (options.forge) return forgeDemo(options);
  const started = Date.now();
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  let progress: RunProgress | undefined;
  print(color.bold("gaffer demo: a sample calculator project, three items, the scripted agent"));
  try {
    const result = await runDemo({
      ...(options.dir && { dir: options.dir }),
      scriptedAgentCommand: scriptedAgentCommand(),
      signal: controller.signal,
      observer: (itemId) => {
        progress?.stop();
        print();
        print(color.bold(`item #${itemId}`));
        progress = new RunProgress({ live: false, out: process.stdout });
        return progress;
      },
    });
    progress?.stop();
    print();
    print(
      formatTable(
        ["ITEM", "TITLE", "OUTCOME", "ATTEMPTS", "RESULT"],
        result.runs.map(({ itemId, item, result: r }) => [
          `#${itemId}`,
          item.title,
          r.outcome === "proposed" ? color.green(r.outcome) : color.red(r.outcome),
          String(r.run.attempt),
          r.proposal ? `branch ${r.proposal.branch}` : relative(result.dir, r.run.reportPath ?? "") || "-",
        ]),
      ),
    );
    print();
    print(`done in ${((Date.now() - started) / 1000).toFixed(1)}s. The project is ${result.dir}`);
    print("look around:");
    print(`  gaffer -C ${result.dir} status`);
    print(`  gaffer -C ${result.dir} show 1        # the proposal, its evidence, how to review and merge`);
    print(`  gaffer -C ${result.dir} logs 2        # every event of the run that healed`);
    print(`  cat ${result.runs.at(-1)?.result.run.reportPath ?? "<report>"}`);
    print(color.dim("(from a checkout without `npm link`: bin/gaffer instead of gaffer)"));
    return 0;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

/** `gaffer demo --forge`: the forge loop on a fake GitHub, each step said as it happens. */
async function forgeDemo(options: { dir?: string }): Promise<number> {
  const started = Date.now();
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  let progress: RunProgress | undefined;
  print(color.bold("gaffer demo --forge: a GitHub issue becomes a draft pull request, on this machine"));
  try {
    const result = await runForgeDemo({
      ...(options.dir && { dir: options.dir }),
      scriptedAgentCommand: scriptedAgentCommand(),
      signal: controller.signal,
      say: (line) => {
        progress?.stop();
        progress = undefined;
        print(`${color.dim("·")} ${line}`);
      },
      observer: () => {
        progress = new RunProgress({ live: false, out: process.stdout });
        return progress;
      },
    });
    progress?.stop();
    print();
    print(`done in ${((Date.now() - started) / 1000).toFixed(1)}s. The project is ${result.project}`);
    if (!result.pull) return 1;
    print("look around:");
    print(`  gaffer -C ${result.project} show ${result.result.run.id}      # the run and its evidence`);
    print(
      `  gaffer -C ${result.project} logs ${result.result.run.id}      # every event, the claim and the publish included`,
    );
    print(color.dim("(from a checkout without `npm link`: bin/gaffer instead of gaffer)"));
    return 0;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}
