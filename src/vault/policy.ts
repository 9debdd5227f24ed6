import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { z } from "zod";
import {
  AGENTS_FILE,
  CONFIG_FILE,
  type GafferConfig,
  loadFactory,
  locateKey,
  pathGlobList,
} from "../config/index.ts";
import { BUILTIN_PATH_RULES, type PathRule, SELF_RULE, selfRule } from "./path-rules.ts";
import { TIERS, type Tier, tierRank } from "./tier.ts";
import { type Checked, checkToml, type FileProblem, problemError } from "./toml.ts";
import { CONVENTION_FILES } from "../agents/index.ts";
import { isExclusion, literalGlob, pathGlobListProblems } from "../util/index.ts";

/**
 * policy.toml: a tier per action kind or formula (`[tiers]`, as disinto writes it), path rules
 * that raise a merge by what its diff touches (`[paths.<name>]`), and size thresholds (`[size]`).
 */
const tier = z.enum(TIERS);
const count = z.number().int().positive();

const policySchema = z.strictObject({
  tiers: z.record(z.string().min(1), tier).default({}).describe("a tier per action kind or formula"),
  paths: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, '-', '_' or '.'"),
      z.strictObject({
        tier: tier.optional().describe("the least tier of a merge touching these paths"),
        what: z.string().min(1).optional().describe("the paths in words, for the reasons"),
        globs: pathGlobList("paths from the project root; ** spans folders", { standalone: false }).default(
          [],
        ),
      }),
    )
    .default({}),
  size: z
    .strictObject({
      medium_lines: count.default(500).describe("lines added and deleted that make a merge medium"),
      high_lines: count.default(2000),
      medium_files: count.default(30).describe("files changed that make a merge medium"),
      high_files: count.default(100),
    })
    .prefault({}),
});

type RawPolicy = z.output<typeof policySchema>;

/**
 * The tiers that apply when policy.toml does not name the action: merges are low (paths and size
 * raise them), and so is publishing a proposal as a draft pull request (paths raise it).
 */
const BUILTIN_TIERS: Readonly<Record<string, Tier>> = { merge: "low", publish: "low" };

export interface Policy {
  /** The policy.toml that was read; undefined when it does not exist and the defaults apply. */
  file: string | undefined;
  tiers: ReadonlyMap<string, { tier: Tier; from: string }>;
  pathRules: readonly PathRule[];
  size: RawPolicy["size"];
}

/**
 * Checks policy.toml's text: its schema, then that a rule of its own has a tier and globs that
 * can match, and that `self` is neither lowered nor cut down by exclusions. Reads nothing else;
 * `gaffer vault lint` uses it too.
 */
export function checkPolicy(text: string): Checked<RawPolicy> {
  const checked = checkToml(text, policySchema);
  if (!checked.ok) return checked;
  const builtin = new Set([...BUILTIN_PATH_RULES.map((rule) => rule.name), SELF_RULE]);
  const problems: FileProblem[] = Object.entries(checked.data.paths).flatMap(
    ([name, rule]): FileProblem[] => {
      if (name === SELF_RULE && rule.tier !== undefined && tierRank(rule.tier) < tierRank("high")) {
        return [
          {
            line: locateKey(text, ["paths", SELF_RULE, "tier"]),
            message: "paths.self.tier: gaffer's own configuration and prompts are always high",
            hint: "remove the tier; globs may be added",
          },
        ];
      }
      if (name === SELF_RULE && rule.globs.some(isExclusion)) {
        return [
          {
            line: locateKey(text, ["paths", SELF_RULE, "globs"]),
            message: "paths.self.globs: gaffer's own configuration and prompts cannot be excluded",
            hint: 'remove the "!" entries; globs may be added',
          },
        ];
      }
      const nothing = builtin.has(name) ? undefined : pathGlobListProblems(rule.globs)[0];
      if (nothing) {
        return [
          {
            line: locateKey(text, ["paths", name, "globs"]),
            message: `paths.${name}.globs: ${nothing.message}`,
            hint: nothing.hint,
          },
        ];
      }
      if (builtin.has(name) || (rule.tier !== undefined && rule.globs.length > 0)) return [];
      return [
        {
          line: locateKey(text, ["paths", name]),
          message: `[paths.${name}] needs a tier and globs`,
          hint: 'add tier = "high" and globs = ["…"]',
        },
      ];
    },
  );
  return problems.length ? { ok: false, problems } : checked;
}

/**
 * Reads the policy (`policyPath`, relative to the project root; absent: the built-in defaults).
 * Any problem is one GafferError naming file, line and key.
 */
export function loadPolicy(root: string, config: GafferConfig, policyPath: string): Policy {
  const file = resolve(root, policyPath);
  const present = existsSync(file);
  const checked = checkPolicy(present ? readFileSync(file, "utf8") : "");
  if (!checked.ok) throw problemError("config-invalid", file, checked.problems);
  const raw = checked.data;
  const from = present ? relative(root, file) || file : "built-in";
  const tiers = new Map(
    Object.entries(BUILTIN_TIERS).map(([key, t]) => [key, { tier: t, from: "built-in" }]),
  );
  for (const [key, t] of Object.entries(raw.tiers)) tiers.set(key, { tier: t, from });
  const pathRules = [...BUILTIN_PATH_RULES, selfRule(selfPaths(root, config, file))].map((rule) => {
    const override = raw.paths[rule.name];
    if (!override) return rule;
    const tier = override.tier ?? rule.tier;
    return { ...rule, tier, what: override.what ?? rule.what, globs: [...rule.globs, ...override.globs] };
  });
  for (const [name, rule] of Object.entries(raw.paths)) {
    if (pathRules.some((known) => known.name === name)) continue;
    pathRules.push({ name, tier: rule.tier ?? "high", what: rule.what ?? name, globs: rule.globs });
  }
  return { file: present ? file : undefined, tiers, pathRules, size: raw.size };
}

/** Project paths of gaffer's own configuration and prompts (see selfRule); those outside the project drop out. */
function selfPaths(root: string, config: GafferConfig, policyFile: string): string[] {
  const scenarios = [...config.agents.values()].flatMap((preset) =>
    preset.driver === "scripted" && preset.scenario !== undefined ? [preset.scenario] : [],
  );
  const conventions =
    config.project.conventions !== undefined ? [config.project.conventions] : CONVENTION_FILES;
  const factory = loadFactory(root, config);
  const files = [
    CONFIG_FILE,
    AGENTS_FILE,
    "fleet.toml",
    policyFile,
    ...conventions,
    ...(config.project.promptTemplate !== undefined ? [config.project.promptTemplate] : []),
    ...scenarios,
    ...(factory.kickoff !== undefined ? [factory.kickoff] : []),
    ...factory.roles.flatMap((role) => (role.prompt !== undefined ? [role.prompt] : [])),
  ];
  const inProject = (path: string) => relative(root, isAbsolute(path) ? path : resolve(root, path));
  const inside = (path: string) => path !== "" && !path.startsWith("..") && !isAbsolute(path);
  const rolesDir = factory.rolesDir !== undefined ? inProject(factory.rolesDir) : "";
  return [
    ...new Set([
      ...files.map(inProject).filter(inside).map(literalGlob),
      ...(inside(rolesDir) ? [`${literalGlob(rolesDir)}/**`] : []),
      ".gaffer/**",
    ]),
  ];
}
