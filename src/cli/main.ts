import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { EXIT } from "../errors.ts";
import { errorReport } from "../util/index.ts";

/**
 * The command table. Each command's module is loaded only when that command runs; every module
 * exports a plain async function returning the exit code.
 */
function program(): { command: Command; exitCode: () => number } {
  const gaffer = new Command("gaffer")
    .description("Supervise coding agents: every work item becomes a tested proposal branch, never a merge.")
    .version(VERSION, "-V, --version")
    .option("-C, --cwd <dir>", "run as if started in <dir>", process.cwd())
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .addHelpText("after", EXAMPLES);
  const cwd = () => gaffer.opts<{ cwd: string }>().cwd;
  let exitCode = 0;
  const use =
    <A extends unknown[]>(load: () => Promise<(cwd: string, ...args: A) => Promise<number>>) =>
    async (...args: A) => {
      exitCode = await (await load())(cwd(), ...args);
    };

  gaffer
    .command("init")
    .description("write a commented gaffer.toml and create .gaffer/ in this repository")
    .option("--force", "overwrite an existing gaffer.toml")
    .action(use(async () => (await import("./commands/init.ts")).init));

  const issue = gaffer
    .command("issue")
    .description("the built-in tracker: add, list, show, edit, close, import");
  issue
    .command("add <title>")
    .description("file a work item")
    .option("-b, --body <markdown>", "the item's body (markdown)")
    .option("--body-file <file>", "read the body from a file (- for stdin)")
    .option("-l, --label <label...>", "labels")
    .option("-p, --priority <n>", "higher runs first", "0")
    .option("-d, --depends-on <id...>", "items that must be closed first")
    .option("--json", "print the item as JSON")
    .action(use(async () => (await import("./commands/issue.ts")).issueAdd));
  issue
    .command("list")
    .description("list items (open and parked ones by default)")
    .option("-a, --all", "include closed items")
    .option("-l, --label <label>", "only items with this label")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/issue.ts")).issueList));
  issue
    .command("show <id>")
    .description("print an item and its runs")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/issue.ts")).issueShow));
  issue
    .command("edit <id>")
    .description("change an item's fields")
    .option("-t, --title <title>")
    .option("-b, --body <markdown>")
    .option("--body-file <file>", "read the body from a file (- for stdin)")
    .option("-l, --label <label...>", "replace the labels")
    .option("-p, --priority <n>")
    .option("-d, --depends-on <id...>", "replace the dependencies")
    .option("--open", "reopen a closed item")
    .option("--json", "print the item as JSON")
    .action(use(async () => (await import("./commands/issue.ts")).issueEdit));
  issue
    .command("close <id>")
    .description("close an item")
    .action(use(async () => (await import("./commands/issue.ts")).issueClose));
  issue
    .command("import <path>")
    .description("import a markdown issue file (first '# ' line = title) or a directory of them")
    .option("-l, --label <label...>", "labels for the imported items")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/issue.ts")).issueImport));

  const tracker = gaffer
    .command("tracker")
    .description("the forge whose issues become items ([tracker] in gaffer.toml): check, sync");
  tracker
    .command("check")
    .description("verify the credentials can read, assign and label the forge's issues (reads only)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/tracker.ts")).trackerCheck));
  tracker
    .command("sync")
    .description("bring the forge's ready issues (and their dependencies) into the store as items")
    .option("--every <duration>", "keep syncing at this interval until stopped, e.g. 1m")
    .option("--json", "print each sync's report as JSON")
    .action(use(async () => (await import("./commands/tracker.ts")).trackerSync));

  gaffer
    .command("run <item>")
    .description("run an agent on an item until a proposal (exit 0), a failure (1) or a give-up (2)")
    .option("-a, --agent <name>", "agent preset (default from gaffer.toml)")
    .option("--resume", "continue the item's cancelled, interrupted or failed run")
    .option("--json", "print the result as JSON")
    .addOption(new Option("--plain", "plain progress lines even on a terminal"))
    .action(use(async () => (await import("./commands/run.ts")).run));
  gaffer
    .command("issue-to-pr <issue>")
    .description(
      "the Module-25 runner's issue-to-pr: implement an issue file on agent/<issue-stem>, gate it, propose (exit 0) or not (1); no init needed",
    )
    .addOption(
      new Option("--simulate <kind>", "the runner's deterministic demo instead of an agent").choices([
        "good",
        "bad",
        "stuck",
      ]),
    )
    .option("-a, --agent <name>", "agent preset (default: AGENT_CMD, then gaffer.toml's)")
    .option("--json", "print the result as JSON")
    .addOption(new Option("--plain", "plain progress lines even on a terminal"))
    .action(use(async () => (await import("./commands/oneshot.ts")).issueToPrCommand));
  gaffer
    .command("self-heal")
    .description(
      "the Module-25 runner's self-heal: run the gate first, feed its failure to the agent on agent/self-heal; exit 0 healed, 1 failed, 2 gave up",
    )
    .addOption(
      new Option("--simulate <kind>", "the runner's deterministic red build instead of yours").choices([
        "bad",
        "stuck",
      ]),
    )
    .option("-a, --agent <name>", "agent preset (default: AGENT_CMD, then gaffer.toml's)")
    .option("--json", "print the result as JSON")
    .addOption(new Option("--plain", "plain progress lines even on a terminal"))
    .action(use(async () => (await import("./commands/oneshot.ts")).selfHealCommand));
  const track = gaffer
    .command("track")
    .description("Conductor tracks, run test-first under gaffer's count: list, show, run, review, stopped");
  track
    .command("list")
    .description("every track: tasks done, its run, its branch (reads only)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/track.ts")).trackList));
  track
    .command("show <track>")
    .description("a track's phases and tasks with their markers, and its run's state (reads only)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/track.ts")).trackShow));
  track
    .command("run <track>")
    .description(
      "run a track on tier2/<track>: each task red then green, proven by gaffer; exit 0 completed, 2 gave up",
    )
    .option("--resume", "continue the track's run from its state file")
    .option("--notify", "when it completes or gives up, run [tracks] notify (or ring the terminal bell)")
    .option("--json", "print the result as JSON")
    .addOption(new Option("--plain", "plain progress lines even on a terminal"))
    .action(use(async () => (await import("./commands/track.ts")).trackRun));
  track
    .command("review <track>")
    .description(
      "the fetch / log / diff / merge --no-ff sequence to review and merge a track's branch (reads only)",
    )
    .option("--merge", "ask the vault to merge the completed track into the default branch (--no-ff)")
    .option("--as <identity>", "who asks (default $GAFFER_APPROVER, then git user.email)")
    .option("--context <text>", "why, for the record and the merge commit")
    .option("--blast-radius <tier>", "raise the tier: low, medium or high (never lowers it)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/track.ts")).trackReview));
  track
    .command("stopped")
    .description("the banner for an interactive session when a track gave up (.STOPPED); nothing otherwise")
    .option("--clear", "remove the .STOPPED flag after showing it")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/track.ts")).trackStopped));
  gaffer
    .command("runs")
    .description("list runs")
    .option("-i, --item <id>", "only this item's runs")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/runs.ts")).runs));
  gaffer
    .command("show <run>")
    .description("print a run: outcome, attempts, gate evidence, and how to review and merge its proposal")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/show.ts")).show));
  gaffer
    .command("logs <run>")
    .description("print a run's events")
    .option("-f, --follow", "keep printing until the run ends")
    .option("--json", "one JSON event per line")
    .action(use(async () => (await import("./commands/logs.ts")).logs));
  gaffer
    .command("status")
    .description("the factory's phase, roles and daemon, items, runs in progress and recent outcomes")
    .option("--json", "print JSON")
    .option("-w, --watch", "redraw until Ctrl-C (a JSON line per refresh with --json)")
    .option("--interval <duration>", "how often --watch refreshes", "1s")
    .action(use(async () => (await import("./commands/status.ts")).status));
  const phase = gaffer.command("phase").description("the factory's current phase: show, set, advance");
  phase
    .command("show")
    .description("the current phase and where every phase stands (reads only)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/phase.ts")).phaseShow));
  phase
    .command("set <phase>")
    .description("make a phase current, by id or by its number (1 to N) as `gaffer status` shows it")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/phase.ts")).phaseSet));
  phase
    .command("advance")
    .description("move on to the next phase; after the last one, mark it done (refused when all are done)")
    .option("--from <phase>", "only if this is the current phase")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/phase.ts")).phaseAdvance));
  gaffer
    .command("kickoff <role>")
    .description("print a role's kickoff: the kickoff template filled in, then the role's prompt")
    .option("--phase <phase>", "this phase (id or number) instead of the current one")
    .option("--status <text>", "what {status} says (default: the phase's: in progress, done or pending)")
    .option("--write", "write it to kickoff-<session>.txt in the log dir instead of printing it")
    .action(use(async () => (await import("./commands/kickoff.ts")).kickoff));
  gaffer
    .command("validate")
    .description("check gaffer.toml, policy.toml, agents.toml, the phase index and a fleet file (reads only)")
    .option("--fleet <file>", "also check this fleet file (default: fleet.toml in the project, if any)")
    .option("--explain-path <path>", "show which path rules a path hits and the tier of a merge changing it")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/validate.ts")).validate));
  const fleet = gaffer
    .command("fleet")
    .description("projects steered together, from fleet.toml: validate, status, up, down");
  const fleetFile = "the fleet file (default: $GAFFER_FLEET, ./fleet.toml, ~/.config/gaffer/fleet.toml)";
  fleet
    .command("validate")
    .description("check every project: path, git repository, configuration (reads only)")
    .option("--fleet <file>", fleetFile)
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/fleet.ts")).fleetValidate));
  fleet
    .command("status")
    .description("per project: enabled, daemon, roles running, open items, proposals (reads only)")
    .option("--fleet <file>", fleetFile)
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/fleet.ts")).fleetStatus));
  fleet
    .command("up")
    .description("run `gaffer -C <path> up` in each enabled project")
    .option("--fleet <file>", fleetFile)
    .action(use(async () => (await import("./commands/fleet.ts")).fleetUp));
  fleet
    .command("down")
    .description("run `gaffer -C <path> down` in each enabled project")
    .option("--fleet <file>", fleetFile)
    .action(use(async () => (await import("./commands/fleet.ts")).fleetDown));
  gaffer
    .command("create-project <name>")
    .description("a new git repository with a gaffer factory (builder, reviewer, one phase), committed")
    .option("--dir <dir>", "where to create it (default: ./<name>)")
    .option("--fleet <file>", "add it to this fleet file (created if missing)")
    .action(use(async () => (await import("./commands/create-project.ts")).createProject));
  withDashboardOptions(
    gaffer
      .command("up")
      .description("start the factory: a supervisor that runs the roles over the items, in the background")
      .option("--foreground", "supervise in this terminal instead (Ctrl-C stops it)")
      .option("--json", "print the supervisor's record as JSON")
      .option("--dashboard", "serve the dashboard from the supervisor too (options as for gaffer serve)"),
  ).action(use(async () => (await import("./commands/factory.ts")).up));
  gaffer
    .command("down")
    .description("stop the factory: runs are cancelled, workspaces kept, no process left behind")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/factory.ts")).down));
  gaffer
    .command("pause")
    .description("kill switch: start no new work (running work goes on); also `touch .gaffer/factory/paused`")
    .action(use(async () => (await import("./commands/factory.ts")).pause));
  gaffer
    .command("resume")
    .description("undo `gaffer pause`: new work starts again")
    .action(use(async () => (await import("./commands/factory.ts")).resume));
  gaffer
    .command("tell <role> <message...>")
    .description("send a role a message: an item only it takes (a persistent role works it in its session)")
    .option("--json", "print the item as JSON")
    .action(use(async () => (await import("./commands/factory.ts")).tell));
  withDashboardOptions(
    gaffer
      .command("supervise", { hidden: true })
      .description("the factory's supervisor process (started by `gaffer up`)")
      .option("--dashboard", "serve the dashboard too"),
  ).action(use(async () => (await import("./commands/factory.ts")).superviseCommand));
  gaffer
    .command("worker <duty>", { hidden: true })
    .description("a role process (started by the supervisor): host (builds and reviews) or persistent")
    .option("--role <name>")
    .option("--holder <token>")
    .action(use(async () => (await import("./commands/factory.ts")).worker));
  gaffer
    .command("cost")
    .description("what the agents used and cost, per run, item, day, agent or role, with a total")
    .option("--by <group>", "group by run (default), item, day (UTC), agent or role")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/cost.ts")).cost));
  gaffer
    .command("warm")
    .description(
      "bring the warm pool to [workspace] warm clones at the default branch's head (runs refill it themselves)",
    )
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/warm.ts")).warm));
  gaffer
    .command("standby", { hidden: true })
    .description("keep this process ready to run the next `gaffer run` (gaffer warm starts it)")
    .action(use(async () => (await import("./standby/server.ts")).standby));
  gaffer
    .command("discard <run>")
    .description(
      "snapshot a run's work to refs/gaffer/snapshots/<run>, then remove its workspace and its sandbox's private files",
    )
    .action(use(async () => (await import("./commands/discard.ts")).discard));
  gaffer
    .command("cancel <run>")
    .description("stop a working run as Ctrl-C in its terminal would: its agent stops, its workspace is kept")
    .action(use(async () => (await import("./commands/cancel.ts")).cancel));
  withDashboardOptions(
    gaffer
      .command("serve")
      .description(
        "the dashboard: pages, a JSON API and the live event feed (reads need no token on loopback)",
      ),
  ).action(use(async () => (await import("./commands/serve.ts")).serve));
  const token = gaffer
    .command("token")
    .description("dashboard tokens: every action from the dashboard needs one");
  token
    .command("create")
    .description("make a token; its secret is printed once, only its hash is kept")
    .requiredOption("--name <who>", "who acts with it (the vault checks it against its approvers)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/token.ts")).tokenCreate));
  token
    .command("list")
    .description("tokens by name, live or revoked")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/token.ts")).tokenList));
  token
    .command("revoke <name>")
    .description("revoke the live token of that name; it stops working at once")
    .action(use(async () => (await import("./commands/token.ts")).tokenRevoke));
  gaffer
    .command("merge <run>")
    .description("ask the vault to merge a run's proposal into the default branch (low: at once)")
    .option("--as <identity>", "who asks (default $GAFFER_APPROVER, then git user.email)")
    .option("--context <text>", "why, for the record and the merge commit")
    .option("--blast-radius <tier>", "raise the tier: low, medium or high (never lowers it)")
    .option("--json", "print the vault action as JSON")
    .action(use(async () => (await import("./commands/merge.ts")).merge));
  gaffer
    .command("publish <run>")
    .description(
      "ask the vault to push a run's proposal to the forge and open a draft pull request with its evidence (low: at once)",
    )
    .option("--as <identity>", "who asks (default $GAFFER_APPROVER, then git user.email)")
    .option("--context <text>", "why, for the record")
    .option("--blast-radius <tier>", "raise the tier: low, medium or high (never lowers it)")
    .option("--json", "print the vault action as JSON")
    .action(use(async () => (await import("./commands/merge.ts")).publish));
  const vault = gaffer
    .command("vault")
    .description("approvals by blast radius: list, show, approve, reject, request, tick, verify, lint");
  vault
    .command("list")
    .description("actions waiting for review or an approver (--all: every action)")
    .option("-a, --all", "include fired and rejected actions")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultList));
  vault
    .command("show <id>")
    .description("an action: its tier and why, its history, its result")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultShow));
  vault
    .command("approve <id>")
    .description("approve a pending action, which then executes")
    .option("--as <identity>", "the approver (default $GAFFER_APPROVER, then git user.email)")
    .option("--json", "print the action as JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultApprove));
  vault
    .command("reject <id>")
    .description("reject a pending action, with a reason")
    .option("-r, --reason <text>", "why (required)")
    .option("--as <identity>", "the approver (default $GAFFER_APPROVER, then git user.email)")
    .option("--json", "print the action as JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultReject));
  vault
    .command("request <file>")
    .description("file a disinto action TOML (id, formula, context, secrets…) as a vault request")
    .option("--role <role>", "the role asking", "operator")
    .option("--run <run>", "the run it is about")
    .option("--as <identity>", "who asks (default $GAFFER_APPROVER, then git user.email)")
    .option("--json", "print the action as JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultRequest));
  vault
    .command("tick")
    .description("settle what time decides: ended review windows, approved actions not yet fired")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultTick));
  vault
    .command("verify")
    .description("check the audit log's hash chain and every action against it (exit 1 if broken)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultVerify));
  vault
    .command("lint <dir>")
    .description("validate a directory of disinto vault files (exit 65 if any is invalid)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/vault.ts")).vaultLint));
  gaffer
    .command("upgrade")
    .description("bring this project's .gaffer/ store up to this version of gaffer")
    .action(use(async () => (await import("./commands/init.ts")).upgrade));
  gaffer
    .command("demo")
    .description("make a sample project in a temp dir and run three items with the scripted agent")
    .option("--dir <dir>", "where to make the sample project (default: a new temp dir)")
    .option(
      "--forge",
      "the forge loop instead: a fake GitHub on 127.0.0.1, an issue labelled backlog, claimed, run, and published as a draft pull request with its evidence",
    )
    .action(use(async () => (await import("./commands/demo.ts")).demo));
  const agentsCommand = gaffer
    .command("agents")
    .description("list agent presets: installed? version? keys set?")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/agents.ts")).agents));
  agentsCommand
    .command("check <name>")
    .description("start an agent and make the ACP initialize handshake (no model call, costs nothing)")
    .option("--json", "print JSON")
    .action(use(async () => (await import("./commands/agents.ts")).agentsCheck));
  gaffer
    .command("agent")
    .description("run a built-in agent over stdio (used by gaffer itself)")
    .command("scripted")
    .description("the scripted ACP agent")
    .option("--scenario <file>", "scenario file; default: a ```scenario block in the prompt")
    .action(use(async () => (await import("./commands/agent.ts")).scriptedAgent));

  return { command: gaffer, exitCode: () => exitCode };
}

/** Where and how the dashboard listens: `gaffer serve` and `gaffer up --dashboard` take the same options. */
function withDashboardOptions(command: Command): Command {
  return command
    .option("--host <address>", "the dashboard's address", "127.0.0.1")
    .option("-p, --port <port>", "the dashboard's port (0: any free port)", "4848")
    .option("--tls-cert <file>", "serve HTTPS with this certificate (PEM)")
    .option("--tls-key <file>", "…and this key (PEM)")
    .option("--insecure", "allow plain HTTP on an address others can reach");
}

const VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

const EXAMPLES = `
Examples:
  gaffer init                                   write gaffer.toml (gate detected) and .gaffer/
  gaffer issue add "Fix the login bug" -b "Steps to reproduce: …"
  gaffer issue import issues/                   markdown files, first "# " line = title
  gaffer run 1                                  exit 0 proposal, 1 failure, 2 gave up, 130 cancelled
  gaffer run 1 --resume                         continue a cancelled, interrupted or failed run
  gaffer issue-to-pr issue.md --simulate good   the Module-25 runner's command, in one step
  gaffer self-heal                              gate first, then heal it on agent/self-heal
  gaffer track run auth_20260616                a Conductor track, red then green per task
  gaffer show 1                                 evidence, and the commands to review and merge
  gaffer logs 1 --follow                        every event, live
  gaffer demo                                   three runs on a sample project
  gaffer demo --forge                           issue → claim → run → draft pull request, on a local fake GitHub
  gaffer status                                 the factory's phase and roles, then items and runs
  gaffer phase advance                          move the factory on to its next phase
  gaffer fleet status                           every project in fleet.toml at a glance

Docs: docs/CONFIGURATION.md, docs/RUNS.md, docs/FACTORY.md, docs/SCENARIOS.md`;

export async function main(argv: string[]): Promise<number> {
  const cli = program();
  try {
    await cli.command.parseAsync(argv);
    return cli.exitCode();
  } catch (error) {
    return report(error);
  }
}

/** The only place errors are turned into output. */
function report(error: unknown): number {
  if (error instanceof CommanderError) {
    const ok = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
    return ok ? 0 : EXIT.usage;
  }
  const { lines, exitCode } = errorReport(error);
  process.stderr.write(lines.map((line) => `${line}\n`).join(""));
  return exitCode;
}
