import {
  FORBIDDEN_CONFIG_KEYS,
  GIT_GLOBAL_OPTIONS,
  GIT_RULES,
  gitRule,
  type ArgTest,
  type GitRule,
} from "../rules.ts";
import { casePatterns, SH_PRELUDE, shLogFunctions, shQuote } from "./sh.ts";

export interface WrapperScriptOptions {
  realGit: string;
  runBranch: string;
  logFile: string;
  /** `git --exec-path`: where git finds its own programs. */
  execPath: string;
  /** `git --list-cmds=builtins`. */
  builtins: readonly string[];
}

const HEADER = `#!/bin/sh
# gaffer's git guard for one run (generated; do not edit).
#
# The friendly layer: it refuses what gaffer's policy forbids, with a message and a log line, so
# the agent learns at once. It is not the wall: an absolute path to the real git skips it. The
# guard hooks in the clone, the read-only git metadata in the sandbox and gaffer's post-run
# integrity check are what hold.
#
# Aliases are expanded by git after this script has looked, so it runs none: a subcommand that is
# neither one of git's commands nor a git-<name> program is refused. Defining one through git is
# refused as well (alias.* in git config, -c alias.x=...). Environment variables such as GIT_DIR
# do not change the subcommand; config passed through GIT_CONFIG_COUNT/KEY_n or
# GIT_CONFIG_PARAMETERS is checked like -c. The run branch is fixed here: GAFFER_RUN_BRANCH is
# in the agent's hands, so it is not trusted.
`;

/** The wrapper: git's global options skipped the way git reads them, then GIT_RULES applied. */
export function wrapperScript(opts: WrapperScriptOptions): string {
  return [
    HEADER + SH_PRELUDE,
    [
      `real_git=${shQuote(opts.realGit)}`,
      `run_branch=${shQuote(opts.runBranch)}`,
      `exec_path=${shQuote(opts.execPath)}`,
      `builtins=${shQuote(` ${opts.builtins.join(" ")} `)}`,
      "denied= reason=",
      "",
    ].join("\n"),
    shLogFunctions(opts.logFile),
    HELPERS,
    configChecks(),
    globalOptions(),
    GIT_RULES.map(ruleFunction).join("\n"),
    subcommandDispatch(),
    MAIN,
  ].join("\n");
}

const HELPERS = `deny() { denied=$1 reason=$2; }

known_command() {
  case $builtins in *" $1 "*) return 0 ;; esac
  [ -x "$exec_path/git-$1" ] || command -v "git-$1" >/dev/null 2>&1
}

allowed_ref() {
  [ -n "$run_branch" ] || return 1
  case $1 in HEAD|"refs/heads/$run_branch"|"$run_branch") return 0 ;; esac
  return 1
}

# update-ref / symbolic-ref: deletions and --stdin are refused; every ref written must be HEAD
# or the run branch. Reading a symbolic ref (one operand) is fine.
refs_denied() {
  _cmd=$1
  shift
  _n=0 _bad= _skip=
  for _a in "$@"; do
    if [ -n "$_skip" ]; then _skip=; continue; fi
    case $_a in
      -m) _skip=1 ;;
      -d|--delete|--stdin) return 0 ;;
      -*) ;;
      *)
        _n=$((_n + 1))
        if [ "$_cmd" = symbolic-ref ] || [ "$_n" = 1 ]; then allowed_ref "$_a" || _bad=1; fi ;;
    esac
  done
  if [ "$_cmd" = symbolic-ref ] && [ "$_n" -le 1 ]; then return 1; fi
  [ -n "$_bad" ]
}
`;

function configChecks(): string {
  const config = gitRule("config");
  const keys = casePatterns(FORBIDDEN_CONFIG_KEYS);
  const inParameters = FORBIDDEN_CONFIG_KEYS.map((glob) => `*\\'${glob}*`).join("|");
  return `config_key_denied() {
  case \${1%%=*} in ${keys}) deny ${shQuote(config.name)} ${shQuote(config.reason)} ;; esac
}

check_env_config() {
  case \${GIT_CONFIG_PARAMETERS-} in
    ${inParameters}) deny ${shQuote(config.name)} ${shQuote(config.reason)}; return ;;
  esac
  case \${GIT_CONFIG_COUNT-} in ''|*[!0-9]*) return ;; esac
  _i=0
  while [ "$_i" -lt "$GIT_CONFIG_COUNT" ]; do
    eval "_set=\\\${GIT_CONFIG_KEY_$_i+x} _key=\\\${GIT_CONFIG_KEY_$_i-}"
    [ -n "$_set" ] || return
    config_key_denied "$_key"
    [ -z "$denied" ] || return
    _i=$((_i + 1))
  done
}
`;
}

function globalOptions(): string {
  const { withValue, joinedValue, flags, commands } = GIT_GLOBAL_OPTIONS;
  const separate = withValue.filter((option) => option !== "-c" && option !== "--config-env");
  const joined = [...withValue, ...joinedValue].filter((o) => o.startsWith("--") && o !== "--config-env");
  const commandCases = Object.entries(commands).reduce<Record<string, string[]>>((byCommand, [flag, cmd]) => {
    (byCommand[cmd] ??= []).push(flag);
    return byCommand;
  }, {});
  return `check() {
  check_env_config
  [ -z "$denied" ] || return
  while [ $# -gt 0 ]; do
    case $1 in
      -c|--config-env) [ $# -ge 2 ] || return; config_key_denied "$2"; shift 2 ;;
      --config-env=*) config_key_denied "\${1#--config-env=}"; shift ;;
      --exec-path=*) exec_path=\${1#--exec-path=}; shift ;;
      ${casePatterns(separate)}) [ $# -ge 2 ] || return; shift 2 ;;
      ${casePatterns(joined.map((option) => `${option}=*`))}) shift ;;
      ${casePatterns(flags)}) shift ;;
${Object.entries(commandCases)
  .map(([cmd, list]) => `      ${casePatterns(list)}) shift; check_subcommand ${cmd} "$@"; return ;;`)
  .join("\n")}
      -*) deny "git $1" "an option gaffer's guard does not know"; return ;;
      *) check_subcommand "$@"; return ;;
    esac
    [ -z "$denied" ] || return
  done
}
`;
}

function ruleFunction(rule: GitRule): string {
  const tests = rule.when ?? [];
  const body =
    tests.length === 0 ? ["  return 0"] : [...tests.map((test) => testLines(test, rule)), "  return 1"];
  return `${functionName(rule)}() {\n${body.join("\n")}\n}\n`;
}

function testLines(test: ArgTest, rule: GitRule): string {
  switch (test.kind) {
    case "arg":
      return `  for _a in "$@"; do case $_a in ${casePatterns(test.globs)}) return 0 ;; esac; done`;
    case "action":
      return `  for _a in "$@"; do case $_a in -*) ;; ${casePatterns(test.globs)}) return 0 ;; *) break ;; esac; done`;
    case "operand":
      return [
        "  _op=",
        `  for _a in "$@"; do case $_a in ${casePatterns(test.unless)}) _op=; break ;; -*) ;; *) _op=1 ;; esac; done`,
        '  [ -z "$_op" ] || return 0',
      ].join("\n");
    case "refs":
      return `  refs_denied ${shQuote(rule.subcommand)} "$@" && return 0`;
    default:
      return test satisfies never;
  }
}

function subcommandDispatch(): string {
  const cases = GIT_RULES.map(
    (rule) =>
      `    ${casePatterns([rule.subcommand])}) ${functionName(rule)} "$@" && deny ${shQuote(rule.name)} ${shQuote(rule.reason)} ;;`,
  );
  const alias = `"'$_sub' is not a git command, and gaffer's guard runs no aliases: use the command itself"`;
  return `check_subcommand() {
  _sub=$1
  shift
  case $_sub in
${cases.join("\n")}
    *) known_command "$_sub" || deny 'git alias' ${alias} ;;
  esac
}
`;
}

function functionName(rule: GitRule): string {
  return `rule_${rule.subcommand.replaceAll("-", "_")}`;
}

const MAIN = `check "$@"
if [ -n "$denied" ]; then
  printf 'denied by gaffer policy: %s (%s)\\n' "$denied" "$reason" >&2
  log_entry "$denied" wrapper true "$@"
  exit 1
fi
exec "$real_git" "$@"
`;
