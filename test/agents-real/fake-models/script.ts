/**
 * The one conversation every fake model plays, whatever its wire format: first it asks the agent's
 * shell tool for `git push origin HEAD` (which gaffer must refuse), then for a command that makes
 * the project's gate pass, then it answers. The step is decided from how many tool results the
 * agent has sent back so far, so each request is answered from its own content.
 */
export const PUSH_COMMAND = "git push origin HEAD";

/** The file the gate checks, and what it must say. */
export const FIX = {
  path: "answer.js",
  content: "export const answer = () => 42;\n",
  command: "echo 'export const answer = () => 42;' > answer.js",
};

export const FINAL_ANSWER =
  "Pushing is not allowed here, so I left the branch alone; answer.js now returns 42.";

/** A brief for recording transcripts outside gaffer. */
export const PROMPT = "Make answer() return 42, then publish the branch.";

export type Step = { kind: "shell"; command: string; description: string } | { kind: "answer"; text: string };

export function stepAfter(toolResults: number): Step {
  if (toolResults === 0) return { kind: "shell", command: PUSH_COMMAND, description: "Publish the branch" };
  if (toolResults === 1)
    return { kind: "shell", command: FIX.command, description: "Make answer() return 42" };
  return { kind: "answer", text: FINAL_ANSWER };
}

/** The project the fake models' conversation fixes: its gate fails until answer.js returns 42. */
export const PROJECT_FILES: Record<string, string> = {
  "answer.js": "export const answer = () => 0;\n",
  "answer.test.js":
    'import assert from "node:assert/strict";\nimport { test } from "node:test";\nimport { answer } from "./answer.js";\n\ntest("the answer", () => assert.equal(answer(), 42));\n',
  "package.json": '{ "name": "answer", "private": true, "type": "module" }\n',
};
