import { type FactorySettings, type Role, sessionName } from "../config/index.ts";
import { type EventPayload, EVENTS, type Run } from "../store/index.ts";
import { record, type SupervisorAction } from "./plan-actions.ts";
import { canStart, dispatches, healthOf, holderPrefix, type PlanState, scheduled } from "./plan-state.ts";
import { type Backlog, type BacklogEntry, buildable, takesItem } from "./scheduler.ts";

/** A process planned in this step: it counts against the caps as a running one does. */
interface Planned {
  role: Role;
  name: string;
}

/**
 * Ready work to role processes, role by role in the configured order, within the caps: overall,
 * per role and per agent. A scheduled role starts only as many as it has activations; a role whose
 * agent is `held` (its model host at a plan limit) none. Numbers the claims in `s`, a draft.
 */
export function dispatch(
  s: PlanState,
  backlog: Backlog,
  now: number,
  held: ReadonlySet<string> = new Set(),
): SupervisorAction[] {
  const actions: SupervisorAction[] = [];
  const planned: Planned[] = [];
  const busy = () => [...s.children.filter((c) => c.duty !== "service"), ...planned];
  if (busy().length >= s.factory.settings.maxConcurrency) return actions;
  const taken = new Set<number>();
  for (const role of s.factory.roles) {
    if (!dispatches(role) || !canStart(s, role, now)) continue;
    if (role.agent !== undefined && held.has(role.agent)) continue;
    let activations = healthOf(s, role).activations;
    while (hasRoom(s.factory.settings, role, busy()) && (!scheduled(role) || activations > 0)) {
      const work = role.reviews
        ? nextReview(s, backlog, taken, now)
        : nextBuild(s, role, backlog, taken, now);
      if (!work) break;
      if (work.itemId !== undefined) taken.add(work.itemId);
      // Counted before the claim: one lost to another holder meanwhile spends a retry all the same.
      if (work.retry) actions.push(record(EVENTS.itemRetrying, { role: role.name, ...work.retry }));
      const name = slotName(s, role, planned);
      s.sequence += 1;
      actions.push({
        kind: "start-worker",
        role,
        duty: role.reviews ? "review" : "build",
        itemId: work.itemId,
        runId: work.runId,
        name,
        holder: `${holderPrefix(s, name)}${s.sequence}`,
      });
      planned.push({ role, name });
      activations -= 1;
    }
  }
  return actions;
}

/** How many ready items a pause holds back: those some role would take now, caps aside. */
export function readyCount(s: PlanState, backlog: Backlog, now: number): number {
  const roles = s.factory.roles.filter((role) => dispatches(role) && canStart(s, role, now));
  const builds = backlog.unclaimed.filter((entry) =>
    roles.some((role) => !role.reviews && buildCandidate(s, role, entry, pressured(s, backlog), now)),
  );
  const reviews = roles.some((role) => role.reviews)
    ? backlog.awaitingReview.filter((run) => reviewCandidate(s, run, now))
    : [];
  return builds.length + reviews.length;
}

interface Work {
  /** Undefined: a task role's own item, to be filed. */
  itemId: number | undefined;
  runId: number | undefined;
  /** Set when the work retries a run that failed for the machine's sake: the event's data. */
  retry?: Retry;
}

function nextBuild(
  s: PlanState,
  role: Role,
  backlog: Backlog,
  taken: Set<number>,
  now: number,
): Work | undefined {
  const pressure = pressured(s, backlog);
  const entry = backlog.unclaimed.find(
    (candidate) => !taken.has(candidate.item.id) && buildCandidate(s, role, candidate, pressure, now),
  );
  if (entry) {
    const retry = retryOf(s.factory.settings, role, entry, now);
    return { itemId: entry.item.id, runId: undefined, ...(retry && { retry }) };
  }
  return scheduled(role) ? { itemId: undefined, runId: undefined } : undefined;
}

function nextReview(s: PlanState, backlog: Backlog, taken: Set<number>, now: number): Work | undefined {
  const run = backlog.awaitingReview.find((r) => !taken.has(r.itemId) && reviewCandidate(s, r, now));
  return run && { itemId: run.itemId, runId: run.id };
}

/** Backpressure: enough proposals await review that no new item starts. */
function pressured(s: PlanState, backlog: Backlog): boolean {
  const { maxPendingReview } = s.factory.settings;
  return maxPendingReview > 0 && backlog.pendingReviews >= maxPendingReview;
}

function buildCandidate(
  s: PlanState,
  role: Role,
  entry: BacklogEntry,
  pressure: boolean,
  now: number,
): boolean {
  const id = entry.item.id;
  if (s.held.has(id) || (s.carry.get(id)?.notBefore ?? 0) > now) return false;
  // A process that released its claim may not have exited yet.
  if (s.children.some((child) => child.itemId === id)) return false;
  if (buildable(entry, role)) return !(pressure && entry.latest === undefined);
  return retryOf(s.factory.settings, role, entry, now) !== undefined;
}

function reviewCandidate(s: PlanState, run: Run, now: number): boolean {
  return !s.held.has(run.itemId) && (s.carry.get(run.itemId)?.notBefore ?? 0) <= now;
}

/** A retry of a failed run, as its item.retrying event tells it (the role aside). */
type Retry = Omit<EventPayload<typeof EVENTS.itemRetrying.name>, "role">;

/**
 * A run that failed for the machine's sake is dispatched again, `infraRetries` times at most,
 * each after the restart backoff (doubling) from its failure; the agent's failures stay failed.
 */
function retryOf(settings: FactorySettings, role: Role, entry: BacklogEntry, now: number): Retry | undefined {
  const run = entry.latest;
  const failure = entry.failure;
  if (run?.state !== "failed" || failure?.cause !== "infrastructure") return undefined;
  if (failure.retries >= settings.infraRetries || !takesItem(role, entry.item)) return undefined;
  const failedAt = run.endedAt ?? run.updatedAt;
  if (now < failedAt + settings.restartBackoffMs * 2 ** failure.retries) return undefined;
  return {
    item: entry.item.id,
    run: run.id,
    retry: failure.retries + 1,
    of: settings.infraRetries,
    reason: run.reason,
  };
}

function hasRoom(settings: FactorySettings, role: Role, busy: { role: Role }[]): boolean {
  if (busy.length >= settings.maxConcurrency) return false;
  if (busy.filter((c) => c.role.name === role.name).length >= role.concurrency) return false;
  const agent = role.agent ?? "";
  const cap = settings.agentConcurrency[agent];
  return cap === undefined || busy.filter((c) => (c.role.agent ?? "") === agent).length < cap;
}

/** The role's first free process name: its session, or `<session>.<n>` when it runs several. */
function slotName(s: PlanState, role: Role, planned: Planned[]): string {
  const session = sessionName(s.factory, role);
  if (role.concurrency === 1) return session;
  const used = new Set([...s.children, ...planned].map((c) => c.name));
  for (let n = 1; ; n++) if (!used.has(`${session}.${n}`)) return `${session}.${n}`;
}
