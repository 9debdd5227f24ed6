import { posix } from "node:path";
import { splitSimpleCommands } from "../../util/index.ts";

/**
 * What the gate runs or reads by name, found from its commands and the base commit's files:
 * scripts it executes (`./test.sh`, `bash ci/check`), the package.json scripts and Makefile
 * targets it calls (and what those call in turn), and the runner files a tool always reads
 * (tox.ini, noxfile.py, justfile…). Changing any of these changes what "green" means, so they
 * are protected like tests.
 */
export interface GateSurface {
  /** Files protected whole, each with the gate command that reaches it. */
  files: Map<string, string>;
  /** package.json path → the scripts the gate runs from it. */
  scripts: Map<string, Set<string>>;
  /** Makefile path → the targets the gate makes from it (prerequisites included). */
  targets: Map<string, Set<string>>;
  /** Files that, once added, a tool the gate runs would read instead (a new GNUmakefile…). */
  shadows: Map<string, string>;
}

/** Reads a file of the base commit as text; undefined when the base has no such file. */
export type BaseReader = (path: string) => Promise<string | undefined>;

const MAX_DEPTH = 6;
const MAKEFILES = ["GNUmakefile", "makefile", "Makefile"];
/** Tools that always read one runner file, whatever their arguments. */
const RUNNER_FILES: Record<string, readonly string[]> = {
  tox: ["tox.ini"],
  nox: ["noxfile.py"],
  just: ["justfile", "Justfile", ".justfile"],
  rake: ["Rakefile", "rakefile"],
  invoke: ["tasks.py"],
};
const PACKAGE_MANAGERS = new Set(["npm", "pnpm", "yarn", "bun"]);
const NPM_SCRIPT_ALIASES: Record<string, string> = { t: "test", tst: "test", test: "test", start: "start" };
/** Words that run a program rather than a script of package.json. */
const NOT_SCRIPTS = new Set(["install", "ci", "i", "add", "exec", "dlx", "x", "npx", "create", "init"]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const SHEBANG_SHELL = /^#!\s*\S*\b(?:ba|da|z|k)?sh\b/;

export async function gateSurface(
  commands: readonly string[],
  baseFiles: ReadonlySet<string>,
  readBase: BaseReader,
): Promise<GateSurface> {
  const surface: GateSurface = {
    files: new Map(),
    scripts: new Map(),
    targets: new Map(),
    shadows: new Map(),
  };
  const walker = new SurfaceWalker(surface, baseFiles, readBase);
  for (const command of commands) await walker.script(command, command, 0);
  return surface;
}

class SurfaceWalker {
  private readonly surface: GateSurface;
  private readonly baseFiles: ReadonlySet<string>;
  private readonly readBase: BaseReader;

  constructor(surface: GateSurface, baseFiles: ReadonlySet<string>, readBase: BaseReader) {
    this.surface = surface;
    this.baseFiles = baseFiles;
    this.readBase = readBase;
  }

  async script(text: string, origin: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH) return;
    let commands: string[][];
    try {
      commands = splitSimpleCommands(text);
    } catch {
      return; // an unbalanced quote: nothing a shell would run either
    }
    for (const argv of commands) await this.command(argv, origin, depth);
  }

  private async command(argv: readonly string[], origin: string, depth: number): Promise<void> {
    const words = argv.slice(argv.findIndex((word) => !ASSIGNMENT.test(word)));
    const program = posix.basename(words[0] ?? "");
    for (const word of words) await this.wordFile(word, origin, depth);
    const make = program === "make" || program === "gmake";
    for (const file of make ? MAKEFILES : (RUNNER_FILES[program] ?? [])) {
      if (!this.surface.shadows.has(file)) this.surface.shadows.set(file, origin);
      if (!make) await this.file(file, origin, depth);
    }
    if (make) await this.make(words.slice(1), origin, depth);
    if (PACKAGE_MANAGERS.has(program)) await this.packageScript(program, words.slice(1), origin, depth);
  }

  /** A word naming a file of the base tree (`./test.sh`, `--config=ci/x.ini`). */
  private async wordFile(word: string, origin: string, depth: number): Promise<void> {
    const value = word.startsWith("-") && word.includes("=") ? word.slice(word.indexOf("=") + 1) : word;
    const path = posix.normalize(value);
    if (path.startsWith("../") || posix.isAbsolute(path)) return;
    if (this.baseFiles.has(path)) await this.file(path, origin, depth);
  }

  private async file(path: string, origin: string, depth: number): Promise<void> {
    if (!this.baseFiles.has(path) || this.surface.files.has(path)) return;
    this.surface.files.set(path, origin);
    const text = await this.readBase(path);
    if (text !== undefined && (path.endsWith(".sh") || SHEBANG_SHELL.test(text))) {
      await this.script(text, origin, depth + 1);
    }
  }

  private async make(args: readonly string[], origin: string, depth: number): Promise<void> {
    const fileFlag = args.findIndex((arg) => arg === "-f" || arg === "--file");
    const named = fileFlag >= 0 ? args[fileFlag + 1] : undefined;
    const makefile = named ? posix.normalize(named) : MAKEFILES.find((name) => this.baseFiles.has(name));
    if (!makefile || !this.baseFiles.has(makefile)) return;
    const text = await this.readBase(makefile);
    if (text === undefined) return;
    const rules = parseMakefile(text);
    const skip = new Set(fileFlag >= 0 ? [fileFlag, fileFlag + 1] : []);
    const goals = args.filter((arg, i) => !skip.has(i) && !arg.startsWith("-") && !arg.includes("="));
    const pending = goals.length > 0 ? goals : [...rules.keys()].slice(0, 1);
    const made = this.surface.targets.get(makefile) ?? new Set<string>();
    this.surface.targets.set(makefile, made);
    while (pending.length > 0) {
      const target = pending.pop() as string;
      const rule = rules.get(target);
      if (made.has(target) || !rule) continue;
      made.add(target);
      pending.push(...rule.prerequisites);
      for (const line of rule.recipe) await this.script(line.replace(/^[@+-]+/, ""), origin, depth + 1);
    }
  }

  private async packageScript(
    program: string,
    args: readonly string[],
    origin: string,
    depth: number,
  ): Promise<void> {
    const name = scriptName(program, args);
    if (!name || !this.baseFiles.has("package.json")) return;
    const manifest = parseScripts(await this.readBase("package.json"));
    const names = this.surface.scripts.get("package.json") ?? new Set<string>();
    this.surface.scripts.set("package.json", names);
    for (const script of [`pre${name}`, name, `post${name}`]) {
      const body = manifest[script];
      if (body === undefined || names.has(script)) continue;
      names.add(script);
      await this.script(body, origin, depth + 1);
    }
  }
}

/** The package.json script `npm test`, `npm run x`, `yarn x`, `pnpm x` or `bun run x` runs. */
function scriptName(program: string, args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith("-"));
  const [first, second] = words;
  if (first === undefined) return undefined;
  if (first === "run" || first === "run-script") return second;
  if (program === "npm") return NPM_SCRIPT_ALIASES[first];
  if (program === "bun") return undefined; // `bun test` is bun's own runner, not a script
  return NOT_SCRIPTS.has(first) ? undefined : first;
}

export function parseScripts(text: string | undefined): Record<string, string> {
  try {
    const scripts = (JSON.parse(text ?? "") as { scripts?: unknown }).scripts;
    if (scripts === null || typeof scripts !== "object") return {};
    return Object.fromEntries(
      Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return {};
  }
}

export interface MakeRule {
  prerequisites: string[];
  recipe: string[];
}

/**
 * The explicit rules of a Makefile, in order: `target …: prerequisites` and the tab-indented
 * recipe after it. Variables, pattern rules and includes are not expanded (best effort: a change
 * to a target the gate makes is what matters, and that target is named literally).
 */
export function parseMakefile(text: string): Map<string, MakeRule> {
  const rules = new Map<string, MakeRule>();
  let current: MakeRule[] = [];
  for (const line of text.replaceAll("\\\n", " ").split(/\r?\n/)) {
    if (line.startsWith("\t")) {
      for (const rule of current) rule.recipe.push(line.slice(1));
      continue;
    }
    const rule = /^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*([^;#]*?)(?:;\s*(.*))?$/.exec(line);
    if (!rule) {
      if (line.trim() !== "" && !line.trimStart().startsWith("#")) current = [];
      continue;
    }
    const prerequisites = (rule[2] ?? "").split(/\s+/).filter(Boolean);
    current = (rule[1] ?? "")
      .split(/\s+/)
      .filter((target) => target !== "" && !target.startsWith("."))
      .map((target) => {
        const entry = rules.get(target) ?? { prerequisites: [], recipe: [] };
        entry.prerequisites.push(...prerequisites);
        if (rule[3]) entry.recipe.push(rule[3]);
        rules.set(target, entry);
        return entry;
      });
  }
  return rules;
}
