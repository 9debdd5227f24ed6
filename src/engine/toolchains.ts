import { existsSync, lstatSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { readAgentFile } from "../util/index.ts";

/**
 * Version managers that keep toolchains under the home directory, each with the variable that
 * names its root. The sandbox hides the user's home and gives the run a private HOME, so a shim
 * on PATH (`~/.pyenv/shims/pytest`) finds its toolchain only if the root is visible and named.
 */
const MANAGERS: readonly { dir: string; variable: string }[] = [
  { dir: ".pyenv", variable: "PYENV_ROOT" },
  { dir: ".rbenv", variable: "RBENV_ROOT" },
  { dir: ".nvm", variable: "NVM_DIR" },
  { dir: ".rustup", variable: "RUSTUP_HOME" },
  { dir: ".cargo", variable: "CARGO_HOME" },
  { dir: ".asdf", variable: "ASDF_DATA_DIR" },
  { dir: ".local/share/mise", variable: "MISE_DATA_DIR" },
  { dir: ".volta", variable: "VOLTA_HOME" },
  { dir: ".bun", variable: "BUN_INSTALL" },
  { dir: ".deno", variable: "DENO_INSTALL" },
  { dir: "go", variable: "GOPATH" },
  { dir: ".local/share/uv", variable: "UV_DATA_DIR" },
  { dir: ".local/pipx", variable: "PIPX_HOME" },
];

/** Directories to show read-only in the sandbox, and the variables that point the tools at them. */
export interface Toolchains {
  dirs: string[];
  env: Record<string, string>;
}

/**
 * The toolchains the user's PATH reaches inside their home directory: each PATH entry there, the
 * root of the version manager it belongs to (named by its variable, so the shim finds it under
 * the sandbox's own HOME), and the virtual environments that `~/.local/bin`-style links point into
 * (pipx, uv tools) with the Python each was made from. Nothing else of the home is shown.
 */
export function toolchainsInHome(env: NodeJS.ProcessEnv): Toolchains {
  const home = env.HOME;
  const found: Toolchains = { dirs: [], env: {} };
  if (!home || home === "/") return found;
  const inHome = (path: string) => path.startsWith(`${home}/`);
  const path = (env.PATH ?? "").split(":").filter((entry) => entry !== "" && existsSync(entry));
  for (const manager of MANAGERS) {
    const root = env[manager.variable] || join(home, manager.dir);
    const reached = path.some((entry) => entry === root || entry.startsWith(`${root}/`));
    if (!reached || !existsSync(root)) continue;
    // The sandbox's environment is an allowlist: the variable goes in wherever the root is.
    found.env[manager.variable] = root;
    if (inHome(root)) found.dirs.push(root);
  }
  for (const entry of path.filter(inHome)) {
    found.dirs.push(entry);
    for (const target of linkTargets(entry)) {
      if (!inHome(target)) continue;
      const environment = dirname(dirname(target)); // …/venvs/black/bin/black → …/venvs/black
      found.dirs.push(environment, ...pythonHome(environment).filter(inHome));
    }
  }
  return { dirs: [...new Set(found.dirs)], env: found.env };
}

/** Where the symlinks in a directory lead (the real paths), skipping what cannot be resolved. */
function linkTargets(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      const path = join(dir, name);
      return lstatSync(path).isSymbolicLink() ? [realpathSync(path)] : [];
    } catch {
      return [];
    }
  });
}

/** The installation a virtual environment was made from (`home = …` in its pyvenv.cfg). */
function pythonHome(environment: string): string[] {
  const config = readAgentFile(join(environment, "pyvenv.cfg"), { maxBytes: 64 * 1024 });
  if (!config.ok) return [];
  const home = /^home\s*=\s*(.+)$/m.exec(config.data.toString("utf8"))?.[1]?.trim();
  return home ? [dirname(home)] : [];
}
