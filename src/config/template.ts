import type { DetectedStep } from "./detect.ts";
import type { SandboxAvailability } from "../sandbox/index.ts";

export interface TemplateInput {
  gate: DetectedStep[];
  setup: DetectedStep[];
  /** Whether bubblewrap works on this machine, which decides the `[sandbox] mode` written. */
  sandbox: SandboxAvailability;
}

/** The commented gaffer.toml that `gaffer init` writes. Every key it shows is a real schema key. */
export function renderConfigTemplate(input: TemplateInput): string {
  const gate = input.gate.length
    ? input.gate.map((s) => steps("gate.commands", s, "10m")).join("\n")
    : `# No gate was detected. A run needs at least one command whose exit code proves the work:
# [[gate.commands]]
# name = "test"
# run = "npm test"
# timeout = "10m"
`;
  const setup = input.setup.map((s) => steps("workspace.setup", s, "10m")).join("\n");
  return `# gaffer.toml — how gaffer runs agents on this project.
# Every key is optional; the values shown are the defaults unless marked "detected".
# Reference: docs/CONFIGURATION.md

[project]
# Base branch for runs. Detected when absent: origin's HEAD, then main, then master.
# default_branch = "main"
# Standing instructions for the agent. Default: the first of AGENTS.md,
# .agent/instructions.md, agent-config.md.
# conventions = "AGENTS.md"
# A custom brief template with {{item_title}}, {{item_body}}, {{failure}}… slots.
# prompt_template = ".gaffer-prompt.md"

[agent]
# Agent used when \`gaffer run\` gets no --agent. "scripted" is the built-in
# deterministic agent; "command" runs $AGENT_CMD.
default = "scripted"
# Wall-clock limit for one agent turn.
turn_timeout = "30m"

# Agent presets. A scripted agent plays a scenario file (docs/SCENARIOS.md):
# [agents.demo]
# driver = "scripted"
# scenario = "scenarios/demo.toml"
#
# Any CLI, with {prompt_file} replaced by the brief's path (else the brief goes to stdin):
# [agents.mycli]
# driver = "command"
# command = "my-agent --message-file {prompt_file}"
#
# Any Agent Client Protocol agent:
# [agents.acp-agent]
# driver = "acp"
# command = ["my-acp-agent", "--stdio"]

[gate]
# Red gates fed back to the agent before the run gives up.
max_fix_attempts = 2
# Cap, in bytes, on the failure summary fed back to the agent (the full output is kept).
feedback_bytes = 4096
# Gate output kept in the store per step (head and tail); full logs live in .gaffer/runs/.
output_bytes = 65536
# true: every step starts at once, reported in order (only for steps that touch nothing another uses).
parallel = false

# The gate: run by gaffer in the workspace, in order; the first failure stops it.
${gate}
[sandbox]
# Agents, their commands, setup and the gate run in a bubblewrap sandbox: the project read-only,
# a private HOME and /tmp, a filtered environment, no network. When no sandbox can be made here:
# "required" refuses to run, "preferred" runs with gaffer's guards only (and says so loudly), "off".
# Without this key, real agents require it and the built-in scripted agent prefers it.
${sandboxMode(input.sandbox)}# Hosts the agent may reach (its model API), through gaffer's allowlisting proxy.
hosts = []
# Extra environment variables passed into the sandbox (PATH, LANG, TERM and a few more always are).
env = []

[guard]
# Globs the agent may change (empty: anything) and may not change (always: .git/**, .gaffer/**,
# gaffer.toml, .gitmodules). Syntax: docs/CONFIGURATION.md#path-globs; check one: gaffer validate --explain-path.
allow_paths = []
# deny_paths = [".github/workflows/**", "**/*.{pem,key}", "secrets/**", "!secrets/README.md"]
# Deleted tests, removed assertions, skip/only markers, lowered coverage thresholds: "block" or "flag".
tamper = "block"
# A secret gaffer knows (a token in its environment, a value of the project's .env files) or a
# well-known token (ghp_…, AKIA…, a private key) in a proposal's changes, commit messages, authors
# or branch name: "block" stops the proposal, "flag" lets it through marked. Values are never shown.
secrets = "block"

[limits]
run_timeout = "2h"
output_bytes = "16MB"
workspace_size = "4GB"
processes = 512
# Agent turns one run may take, counting fix attempts, restarts, nudges and review rounds.
turns = 20

[vault]
# Every action beyond a proposal (a merge, a formula that needs secrets) goes through the vault:
# low runs at once, medium waits for review, high waits for an approver. See docs/VAULT.md.
policy = "policy.toml"
# Who may approve or reject: \`gaffer vault approve --as <name>\`, $GAFFER_APPROVER or git's user.email.
approvers = []
# How long a medium action waits for review, then "execute" or "expire".
review_timeout = "24h"
on_timeout = "execute"
# Declared secrets come from this file (KEY=value lines, mode 600), else from the environment.
secrets_file = ".gaffer/secrets.env"
# A command told about every medium and high request (the request as JSON on stdin):
# notify = 'notify-send gaffer "$GAFFER_VAULT_SUMMARY"'
# What a formula action runs:
# [vault.formulas.release]
# run = "scripts/release.sh"

# A forge whose labelled issues become items (\`gaffer tracker check\`, \`gaffer tracker sync\`).
# The token stays in your environment; gaffer never stores it or passes it to an agent. See docs/FORGES.md.
# [tracker]
# kind = "github"                # or "gitea", "forgejo" (then also url = "https://your-forge")
# repo = "owner/name"
# token_env = "GITHUB_TOKEN"     # the variable's name, never the token itself
# publish = "on-proposal"        # publish each proposal as a draft pull request at once
# [tracker.labels]               # disinto's names by default: backlog, priority, in-progress, blocked…
# ready = ["backlog"]
# What happens on a published run's pull request goes back to the run (docs/FORGES.md):
# [reactions.ci-failed]
# retries = 2                    # the failed check's log goes to the agent, then escalate
# [reactions.approved-and-green]
# action = "merge"               # off by default

# The factory (\`gaffer up\`): roles that work the backlog on their own. See docs/FACTORY.md.
# [factory]
# max_concurrency = 4            # runs at once, all roles
# runs_per_worker = 10           # runs one worker process hosts at once; 1: a process per run
# max_review_rounds = 2          # times a reviewer's findings go back to the builder
# stall_activity = "10m"         # a quiet agent this long is nudged, then restarted, then given up
#
# [roles.builder]
# concurrency = 2
# policy = "heal+stall"          # restart it if it dies; un-stick it if it stalls
#
# [roles.reviewer]               # reviews each proposal: approve, or request changes
# policy = "heal"

[workspace]
# Untracked files copied from the project into each workspace (never committed by gaffer).
copy = []
# Files that look like secrets (.env*, *.pem, *.key, id_*, .npmrc, .netrc, credentials…) are
# refused in copy unless copy_secrets = true. That is dangerous: the agent can read every copied
# file, so a prompt injection or a careless commit can carry its values into the proposal, which
# gaffer blocks only when it recognises them (not every re-encoding). Prefer fake test values.
# copy_secrets = false
# Author of the commits gaffer makes for the agent.
author_name = "gaffer"
author_email = "gaffer@localhost"
# Clones kept ready at the default branch's head, so a run starts without cloning (each costs a
# checkout's disk space); runs refill them, \`gaffer warm\` fills them now.
# warm = 2

# Commands run in a new workspace before the agent starts.
${setup || `# [[workspace.setup]]\n# name = "install"\n# run = "npm ci"\n# timeout = "10m"\n`}`;
}

function steps(table: string, step: DetectedStep, timeout: string): string {
  return `[[${table}]]  # detected
name = ${JSON.stringify(step.name)}
run = ${JSON.stringify(step.run)}
timeout = ${JSON.stringify(timeout)}
`;
}

function sandboxMode(sandbox: SandboxAvailability): string {
  if (sandbox.available) return 'mode = "required"\n';
  return `# No sandbox can be made on this machine (${oneLine(sandbox.reason ?? "unknown reason")}),
# so the mode is left unset: real agents refuse to run until one can, the scripted agent runs
# with gaffer's guards only. To run real agents unconfined anyway (they can then read your files
# and reach the network), choose it here:
# mode = "preferred"
`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}
