import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { arena, attack, outsideState, processesMatching } from "./harness.ts";
import { ATTACKS, MARKER } from "./scenarios.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

const TERMINAL = ["proposed", "failed", "gave-up"];
const rows: string[][] = [];

/**
 * Each attack runs as a real `gaffer run` of the scripted agent in a fresh project. It must be
 * blocked or detected, the run must end in a clear state, and nothing outside its workspace may
 * change: the project, a canary directory, the home with its keys, a bare remote.
 */
describe("red team", { concurrency: 2 }, () => {
  after(() => {
    const width = Math.max(...rows.map((r) => (r[0] ?? "").length));
    const lines = rows.map(
      ([name, layer, outcome]) => `${(name ?? "").padEnd(width)}  ${(layer ?? "").padEnd(9)}  ${outcome}`,
    );
    const blocked = rows.filter((r) => !(r[2] ?? "").startsWith("NOT")).length;
    process.stdout.write(
      `\n${"attack".padEnd(width)}  layer      outcome\n${lines.join("\n")}\n${blocked}/${rows.length} blocked or detected\n`,
    );
  });

  for (const scenario of ATTACKS) {
    const confined = scenario.needsSandbox ?? true;
    // A hang is a finding too (a FIFO where gaffer reads): fail it rather than wait forever.
    it(scenario.name, { skip: confined && sandboxSkip(), timeout: 180_000 }, async (t) => {
      const a = await arena(t, scenario);
      const before = outsideState(a);
      const result = await attack(a, scenario.name, scenario.scenario(a), {
        resume: scenario.resume,
        ...(scenario.env && { env: scenario.env }),
      });
      try {
        assert.ok(result.run, `no run: ${result.cli.stderr}`);
        assert.ok(TERMINAL.includes(result.run.state), `run ended ${result.run.state}: ${result.cli.stderr}`);
        const evidence = await scenario.verify(result, a);
        assert.equal(outsideState(a), before, "nothing outside the workspace changed");
        assert.deepEqual(processesMatching(MARKER), [], "no process outlived the run");
        rows.push([scenario.name, scenario.layer, `${result.run.state} · ${evidence}`.slice(0, 140)]);
      } catch (error) {
        rows.push([scenario.name, scenario.layer, `NOT BLOCKED: ${(error as Error).message}`.slice(0, 140)]);
        const trail = result.events
          .map(
            (e) =>
              `${new Date(e.at).toISOString().slice(11, 23)} ${e.type} ${JSON.stringify(e.data).slice(0, 160)}`,
          )
          .join("\n");
        throw new Error(`${(error as Error).message}\nevents:\n${trail}\nstderr:\n${result.cli.stderr}`, {
          cause: error,
        });
      }
    });
  }
});
