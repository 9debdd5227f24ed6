import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { gaffer, startGaffer } from "../helpers/cli.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { waitForEvent } from "../helpers/wait.ts";

/** The JSON lines a watching command prints, one at a time. */
function jsonLines(child: ReturnType<typeof startGaffer>): AsyncIterator<Record<string, unknown>> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return {
    next: async () => {
      const line = await lines.next();
      return line.done ? line : { done: false, value: JSON.parse(line.value) as Record<string, unknown> };
    },
  };
}

describe("e2e: live status without polling", () => {
  it("status --watch redraws when another command changes the store, long before its interval", async (t) => {
    const dir = await sampleProject(t);
    const watching = startGaffer(["status", "--watch", "--json", "--interval", "24h"], { cwd: dir });
    t.after(() => watching.kill());
    const frames = jsonLines(watching);
    const first = (await frames.next()).value as { openItems: number };

    assert.equal((await gaffer(["issue", "add", "a new item"], { cwd: dir })).code, 0);
    let frame = (await frames.next()).value as { openItems: number };
    while (frame.openItems === first.openItems) frame = (await frames.next()).value as { openItems: number };
    assert.equal(frame.openItems, first.openItems + 1);
  });

  it("logs --follow prints a run's events as they are committed and ends with the run", async (t) => {
    const dir = await sampleProject(t);
    const id = await fileItem(dir, scenarioItem("talks", `[[attempts]]\nsteps = [{ say = "hello" }]`));
    const run = startGaffer(["run", String(id)], { cwd: dir });
    const ran = new Promise((resolve) => run.on("close", resolve));
    await waitForEvent(dir, "run.created");
    const followed = await gaffer(["logs", "1", "--follow", "--json"], { cwd: dir });
    assert.equal(followed.code, 0, followed.stderr);
    await ran;
    const types = followed.stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { type: string }).type);
    assert.equal(types[0], "run.created");
    assert.ok(
      ["run.proposed", "run.gave-up", "run.failed"].includes(types.at(-1) as string),
      types.join(" "),
    );
  });
});
