import { detectGate, type GafferConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import type { GateCommand } from "../gate/index.ts";

const STEP_TIMEOUT_MS = 10 * 60_000;

/**
 * The Module-25 runner's gate: `ruff check .` and `pytest -q`. The runner runs both whatever the
 * first one says; gaffer starts them together (`[gate] parallel`): neither reads what the other
 * writes (each keeps its own cache), and the lint's result is still the first one reported.
 */
export const MODULE25_GATE: readonly GateCommand[] = [
  { name: "lint", run: "ruff check .", timeoutMs: STEP_TIMEOUT_MS },
  { name: "test", run: "pytest -q", timeoutMs: STEP_TIMEOUT_MS },
];

/** A one-shot command's gate: its steps, and whether they start together. */
export interface OneshotGate {
  commands: GateCommand[];
  parallel: boolean;
}

/**
 * The gate of `issue-to-pr` and `self-heal`, without `gaffer init`: gaffer.toml's when it has one
 * (its `parallel` too); else the runner's own, its steps together, for a Python project and for a
 * simulation (its demo target is Python); else the one gaffer detects from the project's build
 * files, one step after another.
 */
export function oneshotGate(root: string, config: GafferConfig, simulated: boolean): OneshotGate {
  if (config.gate.commands.length > 0)
    return { commands: config.gate.commands, parallel: config.gate.parallel };
  const detected = detectGate(root);
  if (simulated || detected.some((step) => step.run.startsWith("pytest")))
    return { commands: [...MODULE25_GATE], parallel: true };
  if (detected.length > 0)
    return { commands: detected.map((step) => ({ ...step, timeoutMs: STEP_TIMEOUT_MS })), parallel: false };
  throw new GafferError(
    "config-invalid",
    `no gate for ${root}: no [[gate.commands]] in gaffer.toml and no build file gaffer knows`,
    'add one to gaffer.toml, e.g. [[gate.commands]] name = "test" run = "make test"',
  );
}
