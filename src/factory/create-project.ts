import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { parseFleet, projectName } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { projectGit, projectGitResult } from "../workspace/index.ts";

/**
 * `gaffer create-project`: a new git repository with a factory ready to configure (a commented
 * gaffer.toml with a builder, a reviewer and one phase; the kickoff and role prompts; a
 * .gitignore), committed once, and optionally registered in a fleet file.
 */
export interface CreatedProject {
  dir: string;
  files: string[];
  commit: string;
  /** The fleet file it was added to. */
  fleet: string | undefined;
}

export async function createProject(options: {
  name: string;
  dir: string;
  fleet?: string;
}): Promise<CreatedProject> {
  const { name, dir } = options;
  if (!projectName.safeParse(name).success)
    throw new GafferError("usage", `"${name}" is not a project name`, "use letters, digits, '-' or '_'");
  const fleetText = options.fleet !== undefined ? fleetWith(options.fleet, name, dir) : undefined;
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new GafferError("usage", `${dir} already exists and is not empty`, "choose another name or --dir");
  const files = scaffold(name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await projectGit(dir, ["init", "--quiet", "--initial-branch=main"]);
  await projectGit(dir, ["add", "--all"]);
  const identity =
    (await projectGitResult(dir, ["config", "user.email"])).exitCode === 0 ? [] : FALLBACK_IDENTITY;
  await projectGit(dir, [
    ...identity,
    "commit",
    "--quiet",
    "-m",
    `Create ${name} with gaffer create-project`,
  ]);
  const commit = await projectGit(dir, ["rev-parse", "HEAD"]);
  if (options.fleet !== undefined && fleetText !== undefined) writeFileSync(options.fleet, fleetText);
  return { dir, files: Object.keys(files), commit, fleet: options.fleet };
}

/** Used only where git has no identity configured. */
const FALLBACK_IDENTITY = ["-c", "user.name=gaffer", "-c", "user.email=gaffer@localhost"];

/**
 * The fleet file with the new project appended, the rest of the file byte for byte as it was;
 * checked before anything is created, so a bad fleet file or a taken name stops the scaffold.
 */
function fleetWith(file: string, name: string, dir: string): string {
  const current = existsSync(file) ? readFileSync(file, "utf8") : FLEET_HEADER;
  if (parseFleet(current, file).projects.some((project) => project.name === name))
    throw new GafferError("usage", `${file} has a project named ${name} already`, "choose another name");
  const fromFleet = relative(dirname(file), dir);
  const path = fromFleet && !fromFleet.startsWith("..") && !isAbsolute(fromFleet) ? fromFleet : dir;
  const gap = current === "" || current.endsWith("\n\n") ? "" : current.endsWith("\n") ? "\n" : "\n\n";
  const text = `${current}${gap}[projects.${name}]\npath = ${JSON.stringify(path)}\nenabled = true\n`;
  parseFleet(text, file);
  return text;
}

const FLEET_HEADER = `# gaffer fleet: the projects steered together (docs/FACTORY.md).
# [projects.<name>] path = the repository (absolute, or relative to this file); enabled = false
# keeps \`gaffer fleet up\` away from it.
`;

function scaffold(name: string): Record<string, string> {
  return {
    ".gitignore": "/.gaffer/\n",
    "gaffer.toml": configTemplate(name),
    "prompts/kickoff.md": `You are the {role} of this project. The current phase is {phase_id} ({status}).
Read the phase's plan, {plan}, before anything else, and work only on what it asks for.
`,
    "prompts/builder.md": `# Builder

Build what the plan asks for in small, tested steps. gaffer runs the gate (the commands in
gaffer.toml's [[gate.commands]]) after your turn: its exit codes, not your own account, decide
whether the work is done. Keep every test you find; add tests for what you build.
`,
    "prompts/reviewer.md": `# Reviewer

Review the builder's proposal against the plan without reading the builder's own notes first.
Check that the tests prove what the plan asks for. Accept it, or request changes naming each
problem and where it is.
`,
  };
}

function configTemplate(name: string): string {
  return `# gaffer.toml — how gaffer runs agents on ${name}.
# Reference: docs/CONFIGURATION.md (every key), docs/FACTORY.md (roles, phases, fleet).

[agent]
# The agent preset roles use unless they name one: claude, codex, gemini, opencode, goose,
# or "scripted" (gaffer's deterministic agent, which spends no tokens).
default = "claude"

[factory]
# Namespace of this project's sessions.
session_prefix = "${name}-"
# Where <role>.md prompts live, and the template every loop role is kicked off with
# ({phase_id}, {plan}, {status} and {role} are filled in).
roles_dir = "prompts"
kickoff = "prompts/kickoff.md"
# The model of roles and phases that name none.
# model = "claude-sonnet-4-6"
# Runs at once, across all roles.
max_concurrency = 2

# The gate: gaffer runs these in each workspace; their exit codes decide whether work is done.
# [[gate.commands]]
# name = "test"
# run = "npm test"

# Takes open items, again and again, and turns each into a proposal branch.
[roles.builder]
kind = "loop"
policy = "heal+stall"

# Reviews the builder's proposals.
[roles.reviewer]
kind = "loop"
policy = "heal+stall"

# The ordered phases of the work: \`gaffer phase show\`, \`gaffer phase advance\`.
[[phases]]
id = "start"
plan = "PLAN.md"
# One model for every loop role in this phase, or one per role:
# models = { builder = "claude-opus-4-8", reviewer = "claude-sonnet-4-6" }
`;
}
