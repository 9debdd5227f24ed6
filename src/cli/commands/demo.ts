import { relative } from "node:path";
import { runDemo } from "../../demo/index.ts";
import { color, formatTable, print } from "../output.ts";
import { RunProgress } from "../progress.ts";
import { scriptedAgentCommand } from "./run.ts";

export async function demo(_cwd: string, options: { dir?: string }): Promise<number> {
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
