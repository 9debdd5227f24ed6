import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface DetectedStep {
  name: string;
  run: string;
}

/** Guesses a project's gate from its build files, so `gaffer init` starts with a real one. */
export function detectGate(root: string): DetectedStep[] {
  const has = (file: string) => existsSync(join(root, file));
  if (has("package.json")) return npmGate(root);
  if (has("pyproject.toml") || has("setup.py") || has("pytest.ini") || hasPythonTests(root))
    return [{ name: "test", run: "pytest -q" }];
  if (has("Cargo.toml")) return [{ name: "test", run: "cargo test" }];
  if (has("go.mod")) return [{ name: "test", run: "go test ./..." }];
  if (has("Makefile") && /^test:/m.test(readFileSync(join(root, "Makefile"), "utf8"))) {
    return [{ name: "test", run: "make test" }];
  }
  return [];
}

/** pytest's own naming, `test_*.py` or `*_test.py`, at the root or in `tests/` or `test/`: a flat Python project. */
function hasPythonTests(root: string): boolean {
  return ["", "tests", "test"].some((dir) => {
    try {
      return readdirSync(join(root, dir)).some((name) => /^test_.*\.py$|_test\.py$/.test(name));
    } catch {
      return false;
    }
  });
}

function npmGate(root: string): DetectedStep[] {
  let scripts: Record<string, unknown> = {};
  try {
    scripts =
      (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, unknown> })
        .scripts ?? {};
  } catch {
    return [];
  }
  const steps: DetectedStep[] = [];
  for (const name of ["lint", "typecheck"])
    if (typeof scripts[name] === "string") steps.push({ name, run: `npm run ${name}` });
  if (typeof scripts.test === "string" && !scripts.test.includes("no test specified"))
    steps.push({ name: "test", run: "npm test" });
  return steps;
}

/** The install step for a workspace, when the project has a lockfile. */
export function detectSetup(root: string): DetectedStep[] {
  if (existsSync(join(root, "package-lock.json"))) return [{ name: "install", run: "npm ci" }];
  return [];
}
