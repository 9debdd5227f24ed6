import { agentPreset, type GafferConfig } from "../config/index.ts";
import type { TokenUsage } from "../sandbox/index.ts";
import {
  EVENTS,
  recordUsage,
  reportDiffers,
  type Run,
  spentUsd,
  startOfUtcDay,
  type UsageSource,
} from "../store/index.ts";
import type { StepContext } from "./step-context.ts";
import type { AgentUpdate } from "../agents/index.ts";

type UsageUpdate = Extract<AgentUpdate, { kind: "usage" }>;
type Budget = GafferConfig["budget"];
type Prices = GafferConfig["prices"];

/** USD spent so far under each budget's scope. */
export type Spent = Record<keyof Budget, number>;

const SCOPES: readonly (keyof Budget)[] = ["run", "item", "day", "project"];

/** The first budget (0: none) that `spent` has used up, as a run's stop reason. */
export function budgetExceeded(budget: Budget, spent: Spent): string | undefined {
  const which = SCOPES.find((scope) => budget[scope] > 0 && spent[scope] >= budget[scope]);
  if (!which) return undefined;
  return `budget: ${which} budget of ${usd(budget[which])} spent (${usd(spent[which])})`;
}

/**
 * What a session's usage cost: the USD cost it reported, else its tokens priced from `[prices]`
 * (cached input at the input price when the model has no cached price), else unknown.
 */
export function attemptCost(
  usage: Partial<UsageUpdate>,
  model: string | undefined,
  prices: Prices,
): { costUsd: number | null; source: UsageSource } {
  if (usage.costAmount !== undefined && usage.costCurrency === "USD")
    return { costUsd: usage.costAmount, source: "reported" };
  const price = model === undefined ? undefined : prices[model];
  const hasTokens = [usage.inputTokens, usage.outputTokens, usage.cachedTokens].some((n) => n !== undefined);
  if (!price || !hasTokens) return { costUsd: null, source: "unpriced" };
  const perMillion =
    (usage.inputTokens ?? 0) * price.input +
    (usage.outputTokens ?? 0) * price.output +
    (usage.cachedTokens ?? 0) * (price.cachedInput ?? price.input);
  return { costUsd: perMillion / 1_000_000, source: "priced" };
}

/**
 * One attempt's spending. Costs and token counts in a session's usage updates are cumulative, so
 * the attempt's usage is the latest update less the baseline a continued session started it with.
 * When gaffer's proxy meters the attempt's model traffic, the requests it read are what is spent
 * (side requests included) and the agent's report is kept as a cross-check.
 */
export class AttemptUsage {
  readonly #context: StepContext;
  readonly #run: Run;
  readonly #attempt: number;
  readonly #spent: Spent;
  readonly #model: string | undefined;
  #latest: Partial<UsageUpdate> = {};
  /** What a continued session had reported before this attempt. */
  #baseline: Partial<UsageUpdate> = {};
  #metered = false;
  /** What the proxy read during the attempt: tokens of every class, known cost, requests. */
  #wire = { tokens: 0, costUsd: 0, requests: 0 };

  private constructor(context: StepContext, run: Run, attempt: number, spent: Spent) {
    this.#context = context;
    this.#run = run;
    this.#attempt = attempt;
    this.#spent = spent;
    const preset = agentPreset(context.project.config, run.agent);
    this.#model = preset.driver === "scripted" ? undefined : preset.model;
  }

  /** Starts accounting for an attempt; undefined when a budget is already spent (the run is then stopped). */
  static async open(context: StepContext, run: Run, attempt: number): Promise<AttemptUsage | undefined> {
    const usage = new AttemptUsage(context, run, attempt, await spentSoFar(context, run));
    const reason = budgetExceeded(context.project.config.budget, usage.#spent);
    if (!reason) return usage;
    await context.recorder.event(EVENTS.budgetExceeded, { attempt, reason, spent: usage.#spent });
    context.stop(reason);
    return undefined;
  }

  /** For a continued session: its usage before this attempt, which is not this attempt's. */
  setBaseline(baseline: Partial<UsageUpdate>): void {
    this.#baseline = baseline;
  }

  /** The attempt's model traffic goes through gaffer's proxy: the requests count, not the report. */
  meter(): void {
    this.#metered = true;
  }

  /** A model request the proxy read; its cost (null: unpriced) counts at once. */
  addRequest(usage: TokenUsage | undefined, costUsd: number | null): void {
    this.#wire.requests += 1;
    this.#wire.costUsd += costUsd ?? 0;
    if (usage)
      this.#wire.tokens += usage.input + usage.output + usage.cacheRead + usage.cacheWrite + usage.reasoning;
    this.#checkBudget();
  }

  /** Keeps the session's latest usage; stops the run when it takes spending past a budget. */
  observe(update: AgentUpdate): void {
    if (update.kind !== "usage") return;
    this.#latest = { ...this.#latest, ...update };
    this.#checkBudget();
  }

  #checkBudget(): void {
    if (this.#context.signal.aborted) return;
    const live = this.#metered ? this.#wire.costUsd : (this.#cost().costUsd ?? 0);
    const spent = Object.fromEntries(SCOPES.map((scope) => [scope, this.#spent[scope] + live])) as Spent;
    const reason = budgetExceeded(this.#context.project.config.budget, spent);
    if (!reason) return;
    this.#context.recorder.enqueue(EVENTS.budgetExceeded, { attempt: this.#attempt, reason, spent });
    this.#context.stop(reason);
  }

  /** Records the attempt's usage row, whatever way its turn ended, and a mismatch with the wire. */
  async record(): Promise<void> {
    const own = this.#own();
    const reported = {
      tokens: (own.inputTokens ?? 0) + (own.outputTokens ?? 0) + (own.cachedTokens ?? 0),
      costUsd: this.#cost().costUsd,
    };
    if (this.#metered && reportDiffers(reported, this.#wire))
      await this.#context.recorder.event(EVENTS.modelUsageMismatch, {
        attempt: this.#attempt,
        reported,
        wire: { ...this.#wire },
      });
    await recordUsage(this.#context.project.store.db, {
      runId: this.#run.id,
      itemId: this.#run.itemId,
      attempt: this.#attempt,
      agent: this.#run.agent,
      role: this.#context.options.role?.name ?? null,
      model: this.#model ?? null,
      inputTokens: this.#own().inputTokens ?? 0,
      outputTokens: this.#own().outputTokens ?? 0,
      cachedTokens: this.#own().cachedTokens ?? 0,
      ...this.#cost(),
      metered: this.#metered,
    });
  }

  #cost() {
    return attemptCost(this.#own(), this.#model, this.#context.project.config.prices);
  }

  /** The session's cumulative usage less what it had before this attempt. */
  #own(): Partial<UsageUpdate> {
    const less = (now: number | undefined, before: number | undefined) =>
      now === undefined ? undefined : now - (before ?? 0);
    const own: Partial<UsageUpdate> = { ...this.#latest };
    for (const key of ["costAmount", "inputTokens", "outputTokens", "cachedTokens"] as const) {
      const value = less(this.#latest[key], this.#baseline[key]);
      if (value === undefined) delete own[key];
      else own[key] = value;
    }
    return own;
  }
}

async function spentSoFar(context: StepContext, run: Run): Promise<Spent> {
  const db = context.project.store.db;
  return {
    run: await spentUsd(db, { runId: run.id }),
    item: await spentUsd(db, { itemId: run.itemId }),
    day: await spentUsd(db, { since: startOfUtcDay(Date.now()) }),
    project: await spentUsd(db),
  };
}

function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}
