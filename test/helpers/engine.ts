import type { TestContext } from "node:test";
import { openProject, type Project } from "../../src/engine/index.ts";
import { sampleProject } from "./project.ts";

/** The scripted agent inside the test process: no subprocess, so no command to start it. */
export const IN_PROCESS = { scriptedAgentCommand: [] as string[] };

/** gaffer.toml for the sample project with the scripted agent in-process as the default agent. */
export function inProcessConfig(extra = ""): string {
  return `[agent]
default = "inproc"

[agents.inproc]
driver = "scripted"
in_process = true

[gate]
max_fix_attempts = 1

[[gate.commands]]
name = "test"
run = "node --test"
timeout = "2m"
${extra}`;
}

/** The demo's sample project driven in-process, opened for the test and closed after it. */
export async function inProcessProject(t: TestContext, extraConfig = ""): Promise<Project> {
  const dir = await sampleProject(t, inProcessConfig(extraConfig));
  const project = await openProject(dir);
  t.after(() => project.close());
  return project;
}
