import { statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { openProject, openProjectReadOnly } from "../../engine/index.ts";
import { EXIT, GafferError } from "../../errors.ts";
import {
  approve,
  currentIdentity,
  findAction,
  formulaRequest,
  listActions,
  lintVaultDir,
  openVault,
  readActionFile,
  readAudit,
  readVault,
  reject,
  reviewEnded,
  type StoredAction,
  submit,
  TIERS,
  type Tier,
  tick,
  type VaultContext,
  verifyVault,
} from "../../vault/index.ts";
import { color, formatTable, parseId, print, printJson } from "../output.ts";
import { printable } from "../../util/index.ts";

interface JsonOption {
  json?: boolean;
}

export async function vaultList(cwd: string, options: JsonOption & { all?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const view = readVault(project);
    const now = Date.now();
    const actions = listActions(view.paths).filter(
      (a) => options.all || a.state === "pending" || a.state === "approved",
    );
    if (options.json) {
      printJson(actions.map((a) => ({ ...a, reviewEnded: reviewEnded(a, now) })));
      return 0;
    }
    if (actions.length === 0) {
      print(options.all ? "the vault is empty" : "nothing waits in the vault (--all shows every action)");
      return 0;
    }
    const rows = actions.map((a) => [
      printable(a.request.id),
      tierColor(a.request.tier),
      stateText(a, now),
      printable(a.request.requestedBy.identity ?? a.request.requestedBy.role),
      printable(a.request.context.split("\n")[0] ?? ""),
    ]);
    print(formatTable(["ID", "TIER", "STATE", "BY", "CONTEXT"], rows));
    return 0;
  } finally {
    await project.close();
  }
}

export async function vaultShow(cwd: string, id: string, options: JsonOption): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const view = readVault(project);
    const action = findAction(view.paths, id);
    if (!action)
      throw new GafferError("usage", `no vault action ${id}`, "`gaffer vault list --all` shows them all");
    const history = readAudit(view.paths.audit).entries.filter((entry) => entry.action === id);
    if (options.json) {
      printJson({ ...action, history });
      return 0;
    }
    printRequest(action);
    print(color.bold("history"));
    for (const entry of history) {
      const detail = typeof entry.data.reason === "string" ? `: ${printable(entry.data.reason)}` : "";
      print(`  ${entry.at}  ${printable(entry.type)} by ${printable(entry.actor)}${detail}`);
    }
    if (action.result) printResult(action);
    return 0;
  } finally {
    await project.close();
  }
}

function printRequest(action: StoredAction): void {
  const { request } = action;
  const what =
    request.kind === "merge"
      ? `merge ${request.merge.branch} (${request.merge.head.slice(0, 12)}) into ${request.merge.into}: ${request.merge.files} files, ${request.merge.lines} lines`
      : request.kind === "publish"
        ? `publish ${request.publish.branch} (${request.publish.head.slice(0, 12)}) as a draft pull request into ${request.publish.into} on ${request.publish.forge}`
        : `formula ${request.formula.name} (timeout ${request.formula.timeoutMinutes}m)`;
  print(
    color.bold(`${printable(request.id)} · ${tierColor(request.tier)} · ${stateText(action, Date.now())}`),
  );
  print(printable(what));
  print(`context: ${printable(request.context, "text")}`);
  const by = request.requestedBy;
  const identity = by.identity ? ` (${printable(by.identity)})` : "";
  const run = by.run !== undefined ? ` for run ${by.run}` : "";
  print(`requested by ${printable(by.role)}${identity}${run} at ${iso(request.requestedAt)}`);
  if (request.secrets.length) print(`secrets: ${printable(request.secrets.join(", "))}`);
  print(color.bold(`why ${request.tier}`));
  for (const reason of request.reasons)
    print(`  ${reason.tier.padEnd(6)}  ${printable(reason.rule)}: ${printable(reason.why)}`);
}

export async function vaultApprove(
  cwd: string,
  id: string,
  options: JsonOption & { as?: string },
): Promise<number> {
  return withVault(cwd, options, async (ctx) =>
    approve(ctx, id, await currentIdentity(ctx.root, options.as)),
  );
}

export async function vaultReject(
  cwd: string,
  id: string,
  options: JsonOption & { as?: string; reason?: string },
): Promise<number> {
  return withVault(cwd, options, async (ctx) =>
    reject(ctx, id, await currentIdentity(ctx.root, options.as), options.reason),
  );
}

/** Files a disinto action TOML as a vault request. */
export async function vaultRequest(
  cwd: string,
  file: string,
  options: JsonOption & { role: string; run?: string; as?: string },
): Promise<number> {
  const action = readActionFile(resolve(cwd, file));
  return withVault(cwd, options, async (ctx) => {
    const identity = await currentIdentity(ctx.root, options.as);
    const run = options.run === undefined ? undefined : parseId(options.run, "run");
    return submit(ctx, formulaRequest(ctx, action, { role: options.role, identity, run }));
  });
}

export async function vaultTick(cwd: string, options: JsonOption): Promise<number> {
  const project = await openProject(cwd);
  try {
    const ctx = openVault(project);
    const changed = await tick(ctx);
    if (options.json) printJson(changed);
    else if (changed.length === 0) print("nothing was due");
    else for (const action of changed) printAction(action, ctx);
    return changed.reduce((code, action) => Math.max(code, exitCodeOf(action)), 0);
  } finally {
    await project.close();
  }
}

export async function vaultVerify(cwd: string, options: JsonOption): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const view = readVault(project);
    const { records, actions, problems } = verifyVault(project.root, view.paths);
    if (options.json) printJson({ ok: problems.length === 0, records, actions, problems });
    else if (problems.length === 0)
      print(color.green(`the vault verifies: ${records} audit records, ${actions} actions`));
    else for (const p of problems) print(`${printable(p.where)}: ${color.red(printable(p.message))}`);
    return problems.length === 0 ? 0 : EXIT.failed;
  } finally {
    await project.close();
  }
}

/** Checks a directory of disinto vault files; reads only, and needs no project. */
export async function vaultLint(cwd: string, dir: string, options: JsonOption): Promise<number> {
  const root = resolve(cwd, dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new GafferError(
      "usage",
      `${dir} is not a directory`,
      "give a directory of vault files, e.g. vault/actions",
    );
  }
  const files = lintVaultDir(root);
  const bad = files.filter((f) => f.problems.length > 0);
  if (options.json) {
    printJson({ ok: bad.length === 0, files });
  } else {
    for (const file of bad) {
      for (const p of file.problems)
        print(
          `${printable(relative(cwd, resolve(root, file.path)))}${p.line ? `:${p.line}` : ""}: ${printable(p.message)} — ${printable(p.hint)}`,
        );
    }
    const counts = (kind: string) => files.filter((f) => f.kind === kind).length;
    const summary = `${files.length} files: ${counts("action")} actions, ${counts("human-request")} requests for a human, ${bad.length} invalid`;
    print(bad.length ? color.red(summary) : color.green(summary));
  }
  return bad.length ? EXIT.dataErr : 0;
}

/** Opens the project and its vault, settles what time decided, runs `fn` and prints the action it returns. */
export async function withVault(
  cwd: string,
  options: JsonOption,
  fn: (ctx: VaultContext) => Promise<StoredAction>,
): Promise<number> {
  const project = await openProject(cwd);
  try {
    const ctx = openVault(project);
    const settled = await tick(ctx);
    if (!options.json) for (const action of settled) printAction(action, ctx);
    const action = await fn(ctx);
    if (options.json) printJson(action);
    else printAction(action, ctx);
    return exitCodeOf(action);
  } finally {
    await project.close();
  }
}

/** One action as a command's outcome: what happened, and what to do next. */
function printAction(action: StoredAction, ctx: VaultContext): void {
  const { request } = action;
  const head = `vault action ${printable(request.id)} (${tierColor(request.tier)})`;
  if (action.state === "pending") {
    const wait =
      request.reviewBy !== undefined
        ? `waits for review until ${iso(request.reviewBy)}; then it ${ctx.vault.onTimeout === "execute" ? "executes" : "expires"}`
        : "is blocked until an approver approves it";
    print(`${head} ${wait}`);
    for (const reason of request.reasons.filter((r) => r.tier === request.tier))
      print(color.dim(`  ${printable(reason.rule)}: ${printable(reason.why)}`));
    const id = printable(request.id);
    print(`  gaffer vault approve ${id}    gaffer vault reject ${id} --reason "…"`);
  } else if (action.state === "rejected") {
    print(`${head} is rejected`);
  } else if (action.result) {
    printResult(action);
  } else {
    print(`${head} is ${action.state}`);
  }
}

function printResult(action: StoredAction): void {
  const result = action.result;
  if (!result) return;
  const ok = result.exit_code === 0;
  const outcome = ok ? color.green("executed") : color.red(`failed (exit ${result.exit_code ?? "none"})`);
  print(`vault action ${printable(action.request.id)} (${tierColor(action.request.tier)}) ${outcome}`);
  if (result.logs.trim()) print(printable(result.logs.trimEnd(), "text").replace(/^/gm, "  "));
}

function exitCodeOf(action: StoredAction): number {
  return action.result && action.result.exit_code !== 0 ? EXIT.failed : 0;
}

function stateText(action: StoredAction, now: number): string {
  if (action.state === "pending" && reviewEnded(action, now)) return "pending (review window over)";
  if (action.state === "fired" && !action.result) return "fired (no result: interrupted?)";
  if (action.state === "fired")
    return action.result?.exit_code === 0
      ? "fired (ok)"
      : `fired (exit ${action.result?.exit_code ?? "none"})`;
  return action.state;
}

function tierColor(tier: Tier): string {
  return tier === "high" ? color.red(tier) : tier === "medium" ? color.yellow(tier) : color.green(tier);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses a --blast-radius value. */
export function parseTier(text: string | undefined): Tier | undefined {
  if (text === undefined) return undefined;
  if ((TIERS as readonly string[]).includes(text)) return text as Tier;
  throw new GafferError("usage", `"${text}" is not a tier`, `use ${TIERS.join(", ")}`);
}
