/**
 * The git spawner's own process (`git-spawner.ts`): it runs each command it is sent and answers
 * with the result. It exits when its parent goes; git commands already started finish on their own,
 * as they would had the parent started them.
 */
import { runGit } from "./git-exec.ts";
import type { FromSpawner, ToSpawner } from "./git-spawner.ts";

const running = new Map<number, AbortController>();

process.on("message", (message: ToSpawner) => {
  if (message.type === "kill") {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  void runGit(message.command, controller.signal).then((result) => {
    running.delete(message.id);
    process.send?.({ id: message.id, result } satisfies FromSpawner);
  });
});
process.on("disconnect", () => process.exit(0));
