import { Cron } from "croner";

/** Why a cron expression is invalid, or undefined when it is fine. */
export function cronProblem(expression: string): string | undefined {
  try {
    new Cron(expression, { paused: true });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^CronPattern: /, "") : String(error);
  }
}

/** The first time after `from` that the schedule fires (local time, like crontab). */
export function nextFire(expression: string, from: Date): Date | undefined {
  return new Cron(expression, { paused: true }).nextRun(from) ?? undefined;
}
