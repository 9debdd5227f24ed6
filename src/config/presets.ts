import type { AgentPreset } from "../agents/index.ts";

/**
 * The real agents gaffer knows by name, all spoken to through the Agent Client Protocol. Each says
 * how it is started, which variables (API keys) may enter its sandbox, which hosts its network
 * allowlist needs, and how a model is passed to it. A preset of the same name in gaffer.toml wins.
 */
export const BUILTIN_PRESETS: readonly AgentPreset[] = [
  {
    name: "claude",
    driver: "acp",
    nativeRules: "claude",
    keyEnv: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"],
    command: ["claude-agent-acp"],
    env: {},
    // IS_SANDBOX=1 lets Claude Code run as root (it refuses otherwise): gaffer's sandbox is why it may.
    passEnv: [
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_BASE_URL",
      "ANTHROPIC_AUTH_TOKEN",
      "CLAUDE_CODE_OAUTH_TOKEN",
      "ANTHROPIC_MODEL",
      "IS_SANDBOX",
    ],
    hosts: ["api.anthropic.com"],
    modelEnv: "ANTHROPIC_MODEL",
  },
  {
    name: "codex",
    driver: "acp",
    nativeRules: "codex",
    keyEnv: ["OPENAI_API_KEY", "CODEX_API_KEY"],
    command: ["codex-acp"],
    // Codex's own sandbox cannot start inside gaffer's (no nested user namespaces): full access
    // within gaffer's sandbox, where its execpolicy rules still refuse what gaffer forbids. It
    // signs in with the API key from its environment; its settings (model, provider, base URL)
    // come as JSON in CODEX_CONFIG, since codex-acp takes no arguments.
    env: { INITIAL_AGENT_MODE: "agent-full-access", DEFAULT_AUTH_REQUEST: '{"methodId":"api-key"}' },
    passEnv: ["OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_CONFIG"],
    hosts: ["api.openai.com", "chatgpt.com"],
  },
  {
    name: "gemini",
    driver: "acp",
    nativeRules: "gemini",
    keyEnv: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    command: ["gemini", "--acp"],
    env: {},
    passEnv: ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GEMINI_MODEL"],
    hosts: ["generativelanguage.googleapis.com"],
    modelArgs: ["--model", "{model}"],
  },
  {
    name: "opencode",
    driver: "acp",
    nativeRules: "opencode",
    command: ["opencode", "acp"],
    env: {},
    passEnv: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY"],
    hosts: ["api.anthropic.com", "api.openai.com", "openrouter.ai"],
  },
  {
    name: "goose",
    driver: "acp",
    command: ["goose", "acp"],
    env: {},
    passEnv: ["GOOSE_PROVIDER", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"],
    hosts: ["api.anthropic.com", "api.openai.com"],
    modelEnv: "GOOSE_MODEL",
  },
];
