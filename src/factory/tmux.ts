import { runProcess } from "../util/index.ts";

/**
 * The tmux view of a persistent role: a detached session named like the role's session
 * (`<prefix><session>`) that follows the role's log, so `tmux attach -t <name>` shows what it
 * does. The role itself stays the supervisor's child; the view only reads.
 */
export async function openTmuxView(session: string, logFile: string, cwd: string): Promise<void> {
  if (await tmux(cwd, "has-session", "-t", exact(session))) return;
  await tmux(cwd, "new-session", "-d", "-s", session, "tail", "-n", "200", "-F", logFile);
}

export async function closeTmuxView(session: string, cwd: string): Promise<void> {
  await tmux(cwd, "kill-session", "-t", exact(session));
}

/** `=name` matches the session by its whole name, never by prefix. */
function exact(session: string): string {
  return `=${session}`;
}

async function tmux(cwd: string, ...args: string[]): Promise<boolean> {
  const { TMUX: _inside, ...env } = process.env;
  const result = await runProcess("tmux", args, { cwd, env, timeoutMs: 10_000 });
  return result.exitCode === 0;
}
