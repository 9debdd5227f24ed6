import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openProject, type RunObserver, type RunResult, startRun } from "../engine/index.ts";
import { addItem } from "../store/index.ts";
import { createSampleRepository } from "./repository.ts";
import { SAMPLE_ITEMS, type SampleItem } from "./sample.ts";

export { type ForgeDemoResult, runForgeDemo } from "./forge-demo.ts";
export { createSampleRepository } from "./repository.ts";

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
