import { createHmac, randomUUID } from "node:crypto";
import * as ghPull from "./github-pull-shapes.ts";
import * as gh from "./github-shapes.ts";
import * as gt from "./gitea-shapes.ts";
import type { Change, Hook } from "./model.ts";

export type ForgeKind = "github" | "gitea";

/** One delivery: what was sent where, and how the receiver answered. */
export interface Delivery {
  id: string;
  url: string;
  event: string;
  headers: Record<string, string>;
  body: string;
  status: number | undefined;
  error: string | undefined;
}

/** The HMAC-SHA256 of a delivery's body under the hook's secret, in hex, as both forges sign. */
export function signature(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/**
 * The headers each forge sends with a delivery. GitHub: `X-GitHub-Event`, `X-GitHub-Delivery`,
 * `X-Hub-Signature-256: sha256=<hex>`. Gitea/Forgejo: `X-Gitea-Event`, `X-Gitea-Delivery`,
 * `X-Gitea-Signature: <hex>`, and GitHub's signature header as well.
 */
export function deliveryHeaders(
  kind: ForgeKind,
  event: string,
  id: string,
  secret: string,
  body: string,
): Record<string, string> {
  const hex = signature(secret, body);
  const common = { "content-type": "application/json", "x-hub-signature-256": `sha256=${hex}` };
  return kind === "github"
    ? { ...common, "user-agent": "GitHub-Hookshot/fake", "x-github-event": event, "x-github-delivery": id }
    : {
        ...common,
        "user-agent": "Go-http-client/1.1",
        "x-gitea-event": event,
        "x-gitea-event-type": event,
        "x-gitea-delivery": id,
        "x-gitea-signature": hex,
      };
}

/** The event name and payload a forge delivers for a change, or undefined when it sends none. */
export function payloadOf(
  kind: ForgeKind,
  base: string,
  change: Change,
): { event: string; payload: unknown } | undefined {
  const { repo, issue } = change;
  if (kind === "github") {
    const common = {
      repository: gh.repository(base, repo),
      ...(change.sender && { sender: gh.user(base, change.sender) }),
    };
    switch (change.event) {
      case "issues":
      case "issue_comment":
        return {
          event: change.event,
          payload: {
            action: change.action,
            issue: issue && gh.issue(base, repo, issue),
            ...(change.label && { label: gh.label(base, repo, change.label) }),
            ...(change.assignee && { assignee: gh.user(base, change.assignee) }),
            ...(change.comment && issue && { comment: gh.comment(base, repo, issue, change.comment) }),
            ...common,
          },
        };
      case "pull_request":
      case "pull_request_review":
      case "pull_request_review_comment":
        return issue
          ? {
              event: change.event,
              payload: {
                action: change.action,
                number: issue.number,
                pull_request: ghPull.pull(base, repo, issue, true),
                ...(change.review && { review: ghPull.review(base, repo, issue, change.review) }),
                ...(change.reviewComment && {
                  comment: ghPull.reviewComment(base, repo, issue, change.reviewComment),
                }),
                ...(change.label && { label: gh.label(base, repo, change.label) }),
                ...common,
              },
            }
          : undefined;
      case "status":
        return change.status
          ? {
              event: "status",
              payload: {
                ...ghPull.status(base, repo, change.status),
                sha: change.status.sha,
                name: `${repo.owner.login}/${repo.name}`,
                ...common,
              },
            }
          : undefined;
      case "check_run":
        return change.checkRun
          ? {
              event: "check_run",
              payload: {
                action: change.action,
                check_run: ghPull.checkRun(base, repo, change.checkRun, undefined),
                ...common,
              },
            }
          : undefined;
      default:
        return change.event satisfies never;
    }
  }
  const common = {
    repository: gt.repository(base, repo),
    ...(change.sender && { sender: gt.user(base, change.sender) }),
  };
  switch (change.event) {
    case "issues":
    case "issue_comment": {
      const event =
        change.event === "issue_comment"
          ? "issue_comment"
          : change.label
            ? "issue_label"
            : change.assignee
              ? "issue_assign"
              : "issues";
      const action = change.label ? "label_updated" : change.action;
      return {
        event,
        payload: {
          action,
          number: issue?.number,
          issue: issue && gt.issue(base, repo, issue),
          ...(change.comment &&
            issue && {
              comment: gt.comment(base, repo, issue, change.comment),
              is_pull: Boolean(issue.pull),
            }),
          ...common,
        },
      };
    }
    case "pull_request_review_comment":
      return issue && change.reviewComment
        ? {
            event: "pull_request_review_comment",
            payload: {
              action: "reviewed",
              number: issue.number,
              pull_request: gt.pull(base, repo, issue),
              review: { type: "pull_request_review_comment", content: change.reviewComment.body },
              ...common,
            },
          }
        : undefined;
    case "pull_request":
    case "pull_request_review": {
      if (!issue) return undefined;
      const state = change.review?.state;
      const event = !change.review
        ? "pull_request"
        : state === "APPROVED"
          ? "pull_request_review_approved"
          : state === "CHANGES_REQUESTED"
            ? "pull_request_review_rejected"
            : "pull_request_review_comment";
      return {
        event,
        payload: {
          action: change.review ? "reviewed" : change.action,
          number: issue.number,
          pull_request: gt.pull(base, repo, issue),
          ...(change.review && { review: { type: event, content: change.review.body } }),
          ...common,
        },
      };
    }
    case "status":
      return change.status
        ? {
            event: "status",
            payload: {
              ...gt.status(base, repo, change.status),
              sha: change.status.sha,
              state: change.status.state,
              ...common,
            },
          }
        : undefined;
    case "check_run":
      return undefined;
    default:
      return change.event satisfies never;
  }
}

/** Posts deliveries one by one, recording each; `settled()` waits for those under way. */
export class Deliverer {
  readonly deliveries: Delivery[] = [];
  #pending: Promise<void> = Promise.resolve();

  send(
    kind: ForgeKind,
    hook: Pick<Hook, "url" | "secret">,
    event: string,
    payload: unknown,
    options: { signatureSecret?: string } = {},
  ): Delivery {
    const body = JSON.stringify(payload);
    const id = randomUUID();
    const delivery: Delivery = {
      id,
      url: hook.url,
      event,
      headers: deliveryHeaders(kind, event, id, options.signatureSecret ?? hook.secret, body),
      body,
      status: undefined,
      error: undefined,
    };
    this.deliveries.push(delivery);
    this.#post(delivery);
    return delivery;
  }

  /** Sends a recorded delivery again, as the forges' "redeliver" button does: same id, same body. */
  redeliver(id: string): Delivery {
    const original = this.deliveries.find((d) => d.id === id);
    if (!original) throw new Error(`no delivery ${id}`);
    const again = { ...original, status: undefined, error: undefined };
    this.deliveries.push(again);
    this.#post(again);
    return again;
  }

  settled(): Promise<void> {
    return this.#pending;
  }

  #post(delivery: Delivery): void {
    this.#pending = this.#pending.then(async () => {
      try {
        const response = await fetch(delivery.url, {
          method: "POST",
          headers: delivery.headers,
          body: delivery.body,
        });
        delivery.status = response.status;
        await response.arrayBuffer();
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error);
      }
    });
  }
}
