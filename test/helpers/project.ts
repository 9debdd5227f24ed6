import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { createSampleRepository } from "../../src/demo/index.ts";
import { SAMPLE_ITEMS } from "../../src/demo/sample.ts";
import { openProject } from "../../src/engine/index.ts";
import { addItem } from "../../src/store/index.ts";
import { tempDir } from "./tmp.ts";

/** The demo's sample project (a git repo with a real `node --test` gate), with its three items filed. */
export async function sampleProject(t: TestContext, config?: string): Promise<string> {
  const dir = tempDir(t, "gaffer-project-");
  await createSampleRepository(dir);
  if (config !== undefined) writeFileSync(join(dir, "gaffer.toml"), config);
  const project = await openProject(dir);
  try {
    for (const item of SAMPLE_ITEMS) await addItem(project.store.db, { title: item.title, body: item.body });
  } finally {
    await project.close();
  }
  return dir;
}

/** An item body whose ```scenario block the scripted agent plays. */
export function scenarioItem(title: string, scenario: string): { title: string; body: string } {
  return { title, body: `${title}\n\n\`\`\`scenario\n${scenario.trim()}\n\`\`\`\n` };
}

export async function fileItem(dir: string, item: { title: string; body: string }): Promise<number> {
  const project = await openProject(dir);
  try {
    return (await addItem(project.store.db, item)).id;
  } finally {
    await project.close();
  }
}
