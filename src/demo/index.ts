import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { openProject, type RunObserver, type RunResult, startRun } from "../engine/index.ts";
import { addItem } from "../store/index.ts";
import { SAMPLE_CONFIG, SAMPLE_FILES, SAMPLE_ITEMS, type SampleItem } from "./sample.ts";
import { runProcess } from "../util/index.ts";

export interface DemoResult {
  dir: string;
  runs: { item: SampleItem; itemId: number; result: RunResult }[];
}

/**
 * Makes the sample project (a git repository with a real test suite), files the three items and
 * runs each with the scripted agent: one proposal at once, one after a red gate, one give-up.
 */
export async function runDemo(options: {
  dir?: string;
  scriptedAgentCommand: string[];
  observer?: (itemId: number) => RunObserver;
  signal?: AbortSignal;
}): Promise<DemoResult> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "gaffer-demo-"));
  await createSampleRepository(dir);
  const project = await openProject(dir);
  const runs: DemoResult["runs"] = [];
  try {
    for (const item of SAMPLE_ITEMS) {
      const created = await addItem(project.store.db, {
        title: item.title,
        body: item.body,
        labels: ["demo"],
      });
      const result = await startRun(project, created.id, {
        scriptedAgentCommand: options.scriptedAgentCommand,
        ...(options.observer && { observer: options.observer(created.id) }),
        ...(options.signal && { signal: options.signal }),
      });
      runs.push({ item, itemId: created.id, result });
      if (options.signal?.aborted) break;
    }
  } finally {
    await project.close();
  }
  return { dir, runs };
}

/** Writes the sample project into `dir` and commits it on `main`. */
export async function createSampleRepository(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries({ ...SAMPLE_FILES, "gaffer.toml": SAMPLE_CONFIG })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const git = async (...args: string[]) => {
    const result = await runProcess("git", args, {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" },
    });
    if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.output.trim()}`);
  };
  await git("init", "-q", "-b", "main");
  await git("add", ".");
  await git(
    "-c",
    "user.name=gaffer demo",
    "-c",
    "user.email=demo@localhost",
    "commit",
    "-q",
    "-m",
    "Calculator library",
  );
}
