import { z } from "zod";

const retries = (fallback: number) =>
  z.number().int().min(0).max(20).default(fallback).describe("how many times before escalating");

/** `[reactions]` as gaffer.toml writes it; `reactions.ts` turns it into a ReactionsConfig. */
export const reactionsSchema = z
  .strictObject({
    "ci-failed": z
      .strictObject({
        action: z
          .enum(["send-to-agent", "notify", "ignore"])
          .default("send-to-agent")
          .describe("the failing checks' names and logs become the run's next attempt"),
        retries: retries(2),
      })
      .prefault({}),
    "changes-requested": z
      .strictObject({
        action: z
          .enum(["send-to-agent", "notify", "ignore"])
          .default("send-to-agent")
          .describe("a review asking for changes, and review comments, become the next attempt"),
        retries: retries(3),
      })
      .prefault({}),
    "merge-conflict": z
      .strictObject({
        action: z
          .enum(["rebase", "notify", "ignore"])
          .default("rebase")
          .describe("gaffer rebases the run onto the moved base; the agent resolves conflicts"),
        retries: retries(2),
        on: z
          .enum(["conflict", "base-moved"])
          .default("conflict")
          .describe(
            "conflict: only when the pull request conflicts with the base; base-moved: on every move",
          ),
      })
      .prefault({}),
    "approved-and-green": z
      .strictObject({
        action: z
          .enum(["merge", "notify", "ignore"])
          .default("notify")
          .describe("merge: an approved pull request with green checks is merged through the vault"),
        require_checks: z
          .boolean()
          .default(true)
          .describe("green needs a passed check; false: a head with no check at all is green too"),
      })
      .prefault({}),
    escalate_label: z
      .string()
      .min(1)
      .optional()
      .describe("the label an escalation adds; default [tracker.labels] blocked"),
    notify: z.string().min(1).optional().describe("a shell command run on each escalation and notification"),
    log_bytes: z
      .number()
      .int()
      .min(256)
      .default(4096)
      .describe("the most bytes of a failing check's log in the agent's brief"),
  })
  .prefault({});
