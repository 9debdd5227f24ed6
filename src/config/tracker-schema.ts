import { z } from "zod";
import { parseDuration } from "./duration.ts";

const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable's name, e.g. GITHUB_TOKEN");

/** `[tracker]` as gaffer.toml writes it; `tracker.ts` turns it into a TrackerConfig. */
export const trackerSchema = z.strictObject({
  kind: z.enum(["github", "gitea", "forgejo"]).describe("the forge: github, gitea or forgejo"),
  url: z
    .url()
    .optional()
    .describe("GitHub: the API root (default https://api.github.com); Gitea/Forgejo: the server"),
  repo: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'write it as "owner/name"')
    .describe("the repository whose issues are the backlog"),
  token_env: variableName
    .optional()
    .describe(
      "the variable holding the token (never its value); default GITHUB_TOKEN, GITEA_TOKEN or FORGEJO_TOKEN",
    ),
  app_id: z.number().int().positive().optional().describe("GitHub App id, instead of a token"),
  private_key_file: z.string().min(1).optional().describe("the GitHub App's private key (.pem)"),
  installation_id: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("the App's installation; found when absent"),
  assignee: z
    .string()
    .min(1)
    .optional()
    .describe("the login claims assign; default the token's user (required with an App)"),
  poll: z
    .string()
    .refine((text) => (parseDuration(text) ?? 0) >= 1000, 'a duration of at least a second, e.g. "5m"')
    .default("5m")
    .describe("how often `gaffer up` reads the forge; with a webhook, the catch-up for missed deliveries"),
  publish: z
    .enum(["manual", "on-proposal"])
    .default("manual")
    .describe(
      "on-proposal: publish each proposal as a draft pull request at once (the vault's publish action)",
    ),
  webhook: z
    .strictObject({
      listen: z
        .string()
        .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'write it as "host:port", e.g. "127.0.0.1:8787"')
        .describe("the address `gaffer up` serves the webhook receiver on"),
      secret_env: variableName
        .default("GAFFER_WEBHOOK_SECRET")
        .describe("the variable holding the webhook's secret (never its value)"),
    })
    .optional()
    .describe("a webhook receiver: signed deliveries trigger a sync at once"),
  labels: z
    .strictObject({
      preset: z.enum(["disinto"]).default("disinto").describe("the label names the keys below override"),
      ready: z.array(z.string().min(1)).min(1).optional().describe("labels that mean ready"),
      priority: z.string().min(1).optional().describe("the label that ranks an issue first"),
      in_progress: z.string().min(1).optional().describe("the label a claim sets"),
      blocked: z.string().min(1).optional().describe("the label a claim removes"),
      done: z.string().min(1).optional().describe("the label a merged issue gets"),
      skip: z.array(z.string().min(1)).optional().describe("labels that keep an issue out"),
    })
    .prefault({}),
});
