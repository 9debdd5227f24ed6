import { EXIT } from "../errors.ts";
import { color } from "./output.ts";
import type { RunProgress } from "./progress.ts";

/**
 * Runs `work` with Ctrl-C (or SIGTERM) wired to its signal: the first asks it to stop, keeping its
 * workspace for a resume; a second quits at once.
 */
export async function cancellable<T>(
  progress: RunProgress,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    progress.note(
      color.yellow("cancelling: stopping the agent and keeping the workspace (Ctrl-C again to quit now)"),
    );
    controller.abort();
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
  }
}
