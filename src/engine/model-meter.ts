import { agentPreset, priceOf, type ModelPrice } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import type { ModelExchange, TokenUsage } from "../sandbox/index.ts";
import { EVENTS, recordModelRequest, type Run } from "../store/index.ts";
import type { Project } from "./project.ts";
import type { RunRecorder } from "./recorder.ts";

/** How long the factory holds a backend back after a plan limit that said no reset time. */
export const UNKNOWN_RESET_HOLD_MS = 30 * 60_000;

/** A host's rate limits are recorded at most this often. */
const RATE_EVENT_EVERY_MS = 60_000;

/** What stopped a run at a model's plan limit; the run ends interrupted, to resume after `until`. */
export interface PlanLimitStop {
  host: string;
  until: number;
  reason: string;
}

/** What the meter needs of a run's step context (a builder's or a reviewer's). */
export interface MeterContext {
  project: Project;
  recorder: RunRecorder;
  options: { role?: { name: string } | undefined };
  planLimit?: PlanLimitStop;
  stop(reason: string): void;
}

/** An attempt's spending, as the meter adds to it (see AttemptUsage). */
export interface MeteredAttempt {
  meter(): void;
  addRequest(usage: TokenUsage | undefined, costUsd: number | null): void;
}

/**
 * The run's model traffic as gaffer's proxy read it. Each request is stored with its tokens and
 * cost (priced by the model its answer named, else the preset's), and its cost counts against the
 * budgets at once. A rate limit is recorded (the agent retries by itself); a plan limit stops the
 * run, which is interrupted — resumable, nothing charged — and tells the factory until when.
 */
export class ModelMeter {
  readonly #context: MeterContext;
  readonly #run: Pick<Run, "id" | "itemId" | "agent">;
  #attempt: number;
  #usage: MeteredAttempt | undefined;
  #queue: Promise<void> = Promise.resolve();
  readonly #rateNoted = new Map<string, number>();

  constructor(context: MeterContext, run: Pick<Run, "id" | "itemId" | "agent" | "attempt">) {
    this.#context = context;
    this.#run = run;
    this.#attempt = run.attempt;
  }

  /** Requests from now on are the attempt's, and count against its budget check. */
  startAttempt(attempt: number, usage: MeteredAttempt): void {
    this.#attempt = attempt;
    this.#usage = usage;
    usage.meter();
  }

  observe(exchange: ModelExchange): void {
    const cost = this.#price(exchange);
    this.#usage?.addRequest(exchange.usage, cost);
    const attempt = this.#attempt;
    this.#queue = this.#queue
      .then(() => recordModelRequest(this.#context.project.store.db, this.#row(exchange, attempt, cost)))
      .catch((error: unknown) => {
        // Money that is not recorded cannot be budgeted: the run stops rather than spend blind.
        this.#context.stop(
          new GafferError(
            "store-unavailable",
            `run ${this.#run.id}: the store could not record a model request: ${error instanceof Error ? error.message : String(error)}`,
          ).message,
        );
      });
    if (exchange.limit) this.#limit(exchange, attempt);
  }

  /** Waits until every request seen so far is stored. */
  flush(): Promise<void> {
    return this.#queue;
  }

  #limit(exchange: ModelExchange, attempt: number): void {
    const limit = exchange.limit;
    if (!limit) return;
    const now = Date.now();
    const { recorder } = this.#context;
    if (limit.kind !== "plan") {
      if (now - (this.#rateNoted.get(exchange.host) ?? 0) < RATE_EVENT_EVERY_MS) return;
      this.#rateNoted.set(exchange.host, now);
      recorder.enqueue(EVENTS.modelRateLimited, {
        attempt,
        host: exchange.host,
        kind: limit.kind,
        status: exchange.status,
        resetsAt: limit.resetsAt ?? null,
        message: limit.message,
      });
      return;
    }
    if (this.#context.planLimit) return;
    const until = limit.resetsAt ?? now + UNKNOWN_RESET_HOLD_MS;
    const reason = `plan limit: ${exchange.host} answered "${limit.message}"; resumable after ${new Date(until).toISOString()}`;
    recorder.enqueue(EVENTS.modelPlanLimit, {
      attempt,
      host: exchange.host,
      api: exchange.api,
      agent: this.#run.agent,
      status: exchange.status,
      resetsAt: limit.resetsAt ?? null,
      until,
      message: limit.message,
    });
    this.#context.planLimit = { host: exchange.host, until, reason };
    this.#context.stop(reason);
  }

  #price(exchange: ModelExchange): number | null {
    if (!exchange.usage) return 0;
    const config = this.#context.project.config;
    const preset = agentPreset(config, this.#run.agent);
    const model = exchange.model ?? (preset.driver === "scripted" ? undefined : preset.model);
    const price = model === undefined ? undefined : priceOf(config.prices, model);
    return price ? costOf(exchange.usage, price) : null;
  }

  #row(exchange: ModelExchange, attempt: number, costUsd: number | null) {
    const tokens = exchange.usage;
    return {
      runId: this.#run.id,
      itemId: this.#run.itemId,
      attempt,
      agent: this.#run.agent,
      role: this.#context.options.role?.name ?? null,
      host: exchange.host,
      api: exchange.api,
      model: exchange.model ?? null,
      status: exchange.status,
      inputTokens: tokens?.input ?? 0,
      outputTokens: tokens?.output ?? 0,
      cacheReadTokens: tokens?.cacheRead ?? 0,
      cacheWriteTokens: tokens?.cacheWrite ?? 0,
      reasoningTokens: tokens?.reasoning ?? 0,
      costUsd,
    };
  }
}

/** USD for one request's tokens: cache reads and writes at their own prices, reasoning as output. */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  const perMillion =
    usage.input * price.input +
    usage.cacheRead * (price.cachedInput ?? price.input) +
    usage.cacheWrite * (price.cacheWrite ?? price.input) +
    (usage.output + usage.reasoning) * price.output;
  return perMillion / 1_000_000;
}
