import type { Need } from "./access.ts";
import { resolveRef } from "./git-backend.ts";
import { ApiError, type ApiRequest, type ApiResponse } from "./http.ts";
import type { Issue, Repo, User } from "./model.ts";

/** What GitHub's route groups share: answers, lookups and GitHub's error bodies. */

/** The repository a request names, once it may do what it needs there. */
export type RepoOf = (req: ApiRequest, need: Need) => Repo;

export function ok(body: unknown, status = 200, headers: Record<string, string> = {}): ApiResponse {
  return { status, body, headers };
}

export function requireUser(req: ApiRequest): User {
  if (!req.user)
    throw new ApiError(401, { message: "Requires authentication", documentation_url: DOCS, status: "401" });
  return req.user;
}

export function notAccessible(by: string): ApiError {
  return new ApiError(403, {
    message: `Resource not accessible by ${by}`,
    documentation_url: DOCS,
    status: "403",
  });
}

export function issueOf(repo: Repo, req: ApiRequest): Issue {
  const issue = repo.issues.get(Number(req.params["number"]));
  if (!issue) throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
  return issue;
}

export function pullOf(repo: Repo, req: ApiRequest): Issue {
  const issue = issueOf(repo, req);
  if (!issue.pull) throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
  return issue;
}

export function refOf(repo: Repo, req: ApiRequest): string {
  const sha = resolveRef(repo.gitDir, req.params["ref"] as string);
  if (!sha)
    throw new ApiError(422, {
      message: `No commit found for SHA: ${req.params["ref"]}`,
      documentation_url: DOCS,
      status: "422",
    });
  return sha;
}

export function validation(resource: string, field: string, code: string): ApiError {
  return new ApiError(422, {
    message: "Validation Failed",
    errors: [{ resource, field, code }],
    documentation_url: DOCS,
    status: "422",
  });
}

/** `since` may be any ISO 8601 time; the model keeps seconds in UTC. */
export function normalizeTime(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new ApiError(422, { message: "Invalid time", documentation_url: DOCS, status: "422" });
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const DOCS = "https://docs.github.com/rest";
