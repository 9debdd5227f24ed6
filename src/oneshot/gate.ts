import { detectGate, type GafferConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import type { GateCommand } from "../gate/index.ts";

const STEP_TIMEOUT_MS = 10 * 60_000;

/** The Module-25 runner's gate, run in this order: `ruff check .` then `pytest -q`. */
export const MODULE25_GATE: readonly GateCommand[] = [
  { name: "lint", run: "ruff check .", timeoutMs: STEP_TIMEOUT_MS },
  { name: "test", run: "pytest -q", timeoutMs: STEP_TIMEOUT_MS },
];

/**
 * The gate of `issue-to-pr` and `self-heal`, without `gaffer init`: gaffer.toml's when it has one;
 * else the runner's own for a Python project and for a simulation (its demo target is Python);
 * else the one gaffer detects from the project's build files.
 */
export function oneshotGate(root: string, config: GafferConfig, simulated: boolean): GateCommand[] {
  if (config.gate.commands.length > 0) return config.gate.commands;
  const detected = detectGate(root);
  if (simulated || detected.some((step) => step.run.startsWith("pytest"))) return [...MODULE25_GATE];
  if (detected.length > 0) return detected.map((step) => ({ ...step, timeoutMs: STEP_TIMEOUT_MS }));
  throw new GafferError(
    "config-invalid",
    `no gate for ${root}: no [[gate.commands]] in gaffer.toml and no build file gaffer knows`,
    'add one to gaffer.toml, e.g. [[gate.commands]] name = "test" run = "make test"',
  );
}
