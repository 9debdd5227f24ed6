import type { Tier } from "./tier.ts";

/** A path rule: a merge whose diff touches any of `globs` is at least `tier`. */
export interface PathRule {
  name: string;
  tier: Tier;
  /** In words, for the reasons: "touches CI configuration". */
  what: string;
  globs: string[];
}

/** The rule for gaffer's own configuration and prompts; its tier is always high. */
export const SELF_RULE = "self";

/**
 * The path rules every policy starts from. policy.toml may change their tiers (never `self`'s),
 * add globs to them, and add rules of its own.
 */
export const BUILTIN_PATH_RULES: readonly PathRule[] = [
  {
    name: "ci",
    tier: "high",
    what: "CI configuration",
    globs: [
      ".github/workflows/**",
      ".github/actions/**",
      ".gitea/workflows/**",
      ".forgejo/workflows/**",
      ".gitlab-ci.yml",
      ".gitlab/ci/**",
      ".woodpecker.yml",
      ".woodpecker.yaml",
      ".woodpecker/**",
      ".circleci/**",
      ".travis.yml",
      ".drone.yml",
      ".buildkite/**",
      "azure-pipelines.yml",
      "bitbucket-pipelines.yml",
      "Jenkinsfile",
    ],
  },
  {
    name: "containers",
    tier: "medium",
    what: "container files",
    globs: [
      "**/Dockerfile",
      "**/Dockerfile.*",
      "**/*.dockerfile",
      "**/Containerfile",
      "**/.dockerignore",
      "**/docker-compose*.yml",
      "**/docker-compose*.yaml",
      "**/compose.yml",
      "**/compose.yaml",
    ],
  },
  {
    name: "dependencies",
    tier: "medium",
    what: "dependency manifests or lockfiles",
    globs: [
      "**/package.json",
      "**/package-lock.json",
      "**/npm-shrinkwrap.json",
      "**/yarn.lock",
      "**/pnpm-lock.yaml",
      "**/bun.lockb",
      "**/requirements*.txt",
      "**/Pipfile",
      "**/Pipfile.lock",
      "**/pyproject.toml",
      "**/poetry.lock",
      "**/uv.lock",
      "**/go.mod",
      "**/go.sum",
      "**/Cargo.toml",
      "**/Cargo.lock",
      "**/Gemfile",
      "**/Gemfile.lock",
      "**/composer.json",
      "**/composer.lock",
      "**/pom.xml",
      "**/build.gradle",
      "**/build.gradle.kts",
      "**/gradle.lockfile",
      "**/*.csproj",
      "**/packages.lock.json",
      "**/mix.exs",
      "**/mix.lock",
    ],
  },
  {
    name: "migrations",
    tier: "high",
    what: "database migrations",
    globs: ["**/migrations/**", "**/migrate/**", "**/alembic/versions/**"],
  },
  {
    name: "secrets",
    tier: "high",
    what: "secret-like files",
    globs: [
      "**/.env",
      "**/.env.*",
      "**/*.pem",
      "**/*.key",
      "**/*.p12",
      "**/*.pfx",
      "**/*.jks",
      "**/*.keystore",
      "**/id_rsa*",
      "**/id_ecdsa*",
      "**/id_ed25519*",
      "**/.npmrc",
      "**/.pypirc",
      "**/.netrc",
      "**/secrets/**",
      "**/*secret*",
      "**/credentials*",
    ],
  },
];

/**
 * gaffer's own configuration and prompts, as paths in the project: gaffer.toml, the policy file,
 * `.gaffer/`, the conventions and brief template, scripted scenarios. A change to any of them is
 * a change to what gaffer does — self-modification — so it is always high.
 */
export function selfRule(paths: readonly string[]): PathRule {
  return { name: SELF_RULE, tier: "high", what: "gaffer's own configuration or prompts", globs: [...paths] };
}
