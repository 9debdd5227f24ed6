import { writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { TestContext } from "node:test";
import { tempDir } from "./tmp.ts";

/**
 * An environment in which the built-in `claude` preset can start, for commands that check that
 * before they act (`validate`, `up`): a stand-in `claude-agent-acp` on PATH and an API key.
 */
export function claudeInstalled(t: TestContext): NodeJS.ProcessEnv {
  const bin = tempDir(t, "gaffer-bin-");
  writeFileSync(join(bin, "claude-agent-acp"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
  return { PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`, ANTHROPIC_API_KEY: "sk-ant-test" };
}
