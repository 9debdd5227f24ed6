export { commandPolicy, defaultPolicy, splitScript } from "./policy.ts";
export {
  AGENT_WRITABLE_REFS,
  denialWeight,
  type DenialWeight,
  FORBIDDEN_CONFIG_KEYS,
  GIT_RULES,
  gitRule,
  type ArgTest,
  type GitRule,
} from "./rules.ts";
export { judgeGit, type GitVerdict } from "./git-guard/judge.ts";
export { installGitGuard, type GitGuardOptions, learnGit } from "./git-guard/wrapper.ts";
export { installGuardHooks, type GuardHooksOptions } from "./git-guard/hooks.ts";
export { GUARD_LOG_MAX_BYTES, guardLogEntries, type GuardDenial, prepareGuardLog } from "./git-guard/log.ts";
export { claudeSettings } from "./agent-rules/claude.ts";
export { codexRules } from "./agent-rules/codex.ts";
export { geminiPolicy } from "./agent-rules/gemini.ts";
export { opencodeConfig } from "./agent-rules/opencode.ts";
export { writeAgentRules, type AgentKind, type AgentRulesFile } from "./agent-rules/write.ts";
export {
  type Baseline,
  captureBaseline,
  checkPaths,
  checkSecrets,
  DEFAULT_DENY_PATHS,
  detectTestTampering,
  loadBaseline,
  pathVerdict,
  type PathVerdict,
  runDenyPaths,
  saveBaseline,
  type Subject,
  verifyIntegrity,
} from "./integrity/index.ts";
export {
  declaredSecret,
  declaredSecretsInFile,
  type KnownSecret,
  redactStrings,
  secretScanner,
  secretsFromEnv,
  secretsInFile,
} from "./secrets/index.ts";
