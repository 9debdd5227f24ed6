import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AgentSession,
  type AgentUpdate,
  type Conventions,
  createAgentDriver,
  findConventions,
  loadBriefTemplate,
  renderBrief,
  type TurnResult,
} from "../agents/index.ts";
import { agentPreset } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { commandPolicy } from "../guard/index.ts";
import {
  type Attempt,
  BUILDER_UPDATE_EVENTS,
  countEvents,
  EVENTS,
  inTransaction,
  listAttempts,
  type Run,
  startAttempt,
  updateAttempt,
} from "../store/index.ts";
import { readCommittedFiles } from "../workspace/index.ts";
import { AgentKilled } from "./failure.ts";
import { recordGuardDenials } from "./guard-denials.ts";
import type { StepContext } from "./step-context.ts";
import { canContinue, KeptSession } from "./kept-session.ts";
import { AgentUpdateSink } from "./agent-updates.ts";
import { AttemptUsage } from "./usage.ts";
import { startDueRefill } from "./warm.ts";
import type { Project } from "./project.ts";
import { recordRunWork, workFingerprint } from "./work.ts";

/**
 * One agent turn: render the brief (with the last gate failure on a retry), run the agent in the
 * workspace, record everything it does, and note whether it changed anything.
 */
export async function runAgentStep(context: StepContext, run: Run, number: number): Promise<void> {
  const { project, recorder, item, signal } = context;
  const db = project.store.db;
  // The workspace as the turn finds it, and the conventions for its brief: neither waits on the other.
  const [found, conventions] = await Promise.all([
    context.pristineWorkspace ?? recordRunWork(context, run),
    (context.conventions ??= conventionsOf(project, run)),
  ]);
  context.pristineWorkspace = undefined;
  const fingerprint = workFingerprint(found);
  const turns = await countEvents(db, run.id, [EVENTS.agentPrompt]);
  if (turns >= project.config.limits.turns) {
    await recorder.event(EVENTS.limitExceeded, { reason: "turns", turns });
    context.stop(`limit: the run took its ${turns} agent turns ([limits] turns)`);
    return;
  }
  const usage = await AttemptUsage.open(context, run, number);
  if (!usage) return;
  if (context.confinement?.metered) context.meter?.startAttempt(number, usage);
  const before = (await listAttempts(db, run.id)).find((a) => a.number === number);
  const attempt = await startAttempt(db, run, project.owner, { number, treeHash: fingerprint });
  recorder.announce(number === run.attempt ? EVENTS.attemptRestarted : EVENTS.attemptStarted, {
    state: "agent",
    attempt: number,
  });

  const previous = (await listAttempts(db, run.id)).find((a) => a.number === number - 1);
  const role = context.options.role;
  const notices = [
    ...(before?.stopReason === "nudged" ? [NUDGE_NOTICE] : []),
    ...(context.goal === "red" && previous?.feedback && !previous.feedbackKind ? [previous.feedback] : []),
    ...(previous?.feedbackKind === "rebase" && previous.feedback ? [previous.feedback] : []),
  ];
  const feedback = previous?.feedback ? feedbackSection(previous, context.goal) : {};
  const brief = renderBrief({
    conventions,
    item: { id: item.id, title: item.title, body: item.body },
    attempt: number,
    ...feedback,
    ...(role?.instructions && { role: { name: role.name, instructions: role.instructions } }),
    ...(notices.length > 0 && { notice: notices.join("\n\n") }),
    ...(project.config.project.promptTemplate && {
      template: loadBriefTemplate(project.config.project.promptTemplate),
      templateFile: project.config.project.promptTemplate,
    }),
  });
  const runDir = project.paths.runDir(run.id);
  mkdirSync(runDir, { recursive: true });
  const briefPath = join(runDir, `attempt-${number}-brief.md`);
  writeFileSync(briefPath, brief);
  await recorder.event(EVENTS.agentPrompt, {
    attempt: number,
    path: briefPath,
    bytes: Buffer.byteLength(brief),
  });
  startDueRefill(context);

  const result = await converse(context, run, number, brief, usage);
  await usage.record();
  await recordGuardDenials(context, run, number, "agent");
  await recorder.flush();
  if (signal.aborted) return;
  if (result.nudged) {
    // The attempt starts over in a fresh session, its brief saying why.
    await updateAttempt(db, run.id, number, { state: "error", stopReason: "nudged" });
    return;
  }
  if (result.stopReason === "error" || result.stopReason === "timeout") {
    const { stopReason } = result;
    await inTransaction(db, async (trx) => {
      await updateAttempt(trx, run.id, number, { state: "error", stopReason });
      await recorder.event(
        EVENTS.agentError,
        { attempt: number, stopReason, error: result.error ?? null },
        trx,
      );
    });
    const what = result.stopReason === "timeout" ? "timed out" : "failed";
    const firstLine = (result.error ?? result.stopReason).split("\n")[0];
    throw new GafferError(
      "agent-failed",
      `agent ${what} on attempt ${number}: ${firstLine}`,
      `details: \`gaffer logs ${run.id}\`; continue with \`gaffer run ${item.id} --resume\``,
      result.killedBy === undefined ? undefined : { cause: new AgentKilled(result.killedBy) },
    );
  }
  const work = await recordRunWork(context, run, number);
  const changed = workFingerprint(work) !== (attempt.treeHash ?? fingerprint);
  const head = work.tip;
  await inTransaction(db, async (trx) => {
    await updateAttempt(trx, run.id, number, {
      state: changed ? "gating" : "no-change",
      stopReason: result.stopReason,
      changed,
      work: { commit: work.commit, tree: work.tree },
    });
    await recorder.move(trx, "agentDone", {
      owner: project.owner,
      data: { attempt: number, stopReason: result.stopReason, changed, head, tree: work.tree },
    });
  });
}

async function converse(
  context: StepContext,
  run: Run,
  attempt: number,
  brief: string,
  usage: AttemptUsage,
): Promise<TurnResult & { nudged: boolean }> {
  const { project, recorder, signal } = context;
  const preset = agentPreset(project.config, run.agent);
  const sink = new AgentUpdateSink(recorder, context.output, BUILDER_UPDATE_EVENTS, { attempt });
  const route = (update: AgentUpdate) => {
    sink.push(update);
    usage.observe(update);
  };
  const keep = context.options.role?.continuation === "continue" && canContinue(preset);
  let kept = keep ? context.session : undefined;
  if (kept?.session) {
    usage.setBaseline(kept.handOver(route));
    await recorder.event(EVENTS.agentSessionContinued, { attempt });
  } else {
    kept = new KeptSession(route);
    const driver = createAgentDriver(preset, { scriptedAgentCommand: context.options.scriptedAgentCommand });
    kept.session = await driver.startSession({
      workspace: run.workspace,
      env: process.env,
      policy: commandPolicy(run.branch),
      hosts: project.config.sandbox.hosts,
      onUpdate: kept.onUpdate,
      onTerminalOutput: (bytes) => void context.output.take(bytes),
      turnTimeoutMs: project.config.agent.turnTimeoutMs,
      ...(context.confinement && { wrap: context.confinement.wrap }),
    });
  }
  const session = kept.session as AgentSession;
  let nudged = false;
  const onAbort = () => void session.cancel();
  const unsubscribe = context.options.nudges?.subscribe(() => {
    nudged = true;
    recorder.enqueue(EVENTS.agentNudged, { attempt });
    void session.cancel();
  });
  signal.addEventListener("abort", onAbort, { once: true });
  let result: TurnResult | undefined;
  try {
    const turn = session.prompt({ text: brief, attempt, runId: run.id, itemId: run.itemId });
    // A cancel that came while the session was starting has no turn to stop until now.
    if (signal.aborted) onAbort();
    result = await turn;
    return { ...result, nudged };
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe?.();
    // Only a session whose turn ended normally is worth another turn.
    if (keep && result?.stopReason === "end_turn" && !nudged) context.session = kept;
    else {
      if (context.session === kept) delete context.session;
      await kept.close();
    }
    sink.flush();
  }
}

/**
 * Where the previous attempt's feedback goes in the brief: a failure to fix (a red gate, or checks
 * that failed on the forge), a review to address (the factory's reviewer, or one on the forge), or
 * nothing here (a rebase's conflicts and a red goal's note go under "Note from gaffer").
 */
function feedbackSection(
  previous: Attempt,
  goal: StepContext["goal"],
): { failure?: string; review?: string } {
  const text = previous.feedback ?? "";
  switch (previous.feedbackKind) {
    case "ci":
      return { failure: text };
    case "review":
      return { review: text };
    case "rebase":
      return {};
    default:
      if (previous.state === "changes-requested") return { review: text };
      return goal === "red" ? {} : { failure: text };
  }
}

const NUDGE_NOTICE = [
  "Your previous session on this attempt was stopped because it made no progress for a long time.",
  "Continue from the current state of the workspace, in small steps that each change something.",
].join("\n");

/** The conventions file in the run's base that every brief of the run carries. */
export function conventionsOf(project: Project, run: Run): Promise<Conventions | undefined> {
  return findConventions(
    (files, maxBytes) => readCommittedFiles(project.root, run.baseCommit, files, maxBytes),
    project.config.project.conventions,
  );
}
