import { createPublicKey, createVerify } from "node:crypto";
import { ApiError, type ApiRequest } from "./http.ts";
import type { ForgeModel, Repo, Role, Token } from "./model.ts";

/**
 * Who may do what, as each forge decides it. A request needs a repository role (read to see,
 * triage to label and assign, write to push and open pull requests) and, for its token, a grant:
 *
 * - a GitHub classic token's scope: `repo` for private repositories and for writes (`public_repo`
 *   is enough to write to a public one); without it GitHub answers 404, hiding the repository;
 * - a GitHub fine-grained or App installation token's permission (`issues: write`…); without it
 *   403 "Resource not accessible by …" with `x-accepted-github-permissions` naming what was needed;
 * - a Gitea/Forgejo token's scope (`read:issue`, `write:repository`, `all`); without it 403
 *   "token does not have at least one of required scope(s): [write:issue]".
 *
 * Simplified: GitHub silently ignores label and assignee changes from users without triage; the
 * fake refuses them with 403. A fine-grained token's repository selection is not modelled.
 */
export interface Need {
  role: Role;
  /** GitHub permission (fine-grained, App) and Gitea scope category. */
  permission:
    | "issues"
    | "pull_requests"
    | "contents"
    | "statuses"
    | "checks"
    | "actions"
    | "metadata"
    | "repository_hooks";
  level: "read" | "write";
}

const RANK: Record<Role, number> = { read: 0, triage: 1, write: 2, admin: 3 };

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

/** The repository named by `:owner/:repo`, if the request may see it and do what it needs. */
export function authorizeGitHub(model: ForgeModel, req: ApiRequest, need: Need): Repo {
  const repo = model.repo(`${req.params["owner"]}/${req.params["repo"]}`);
  const notFound = new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
  if (!repo) throw notFound;
  const grant = req.token?.grant;
  if (grant?.kind === "classic") {
    const writes = need.level === "write";
    const scoped =
      grant.scopes.includes("repo") || (!repo.private && (!writes || grant.scopes.includes("public_repo")));
    if (!scoped) throw notFound;
  }
  if (grant?.kind === "fine-grained" || grant?.kind === "installation") {
    const held = grant.permissions[need.permission];
    const installed = grant.kind !== "installation" || repo.installation !== undefined;
    if (!installed || !held || (need.level === "write" && held !== "write")) {
      const by = grant.kind === "installation" ? "integration" : "personal access token";
      throw new ApiError(
        403,
        { message: `Resource not accessible by ${by}`, documentation_url: DOCS, status: "403" },
        { "x-accepted-github-permissions": `${need.permission}=${need.level}` },
      );
    }
    if (grant.kind === "installation") return repo;
  }
  const role = model.role(repo, req.user);
  if (!role) throw notFound;
  if (!roleAtLeast(role, need.role)) {
    throw new ApiError(403, {
      message: `Must have ${need.role} access to this repository.`,
      documentation_url: DOCS,
      status: "403",
    });
  }
  return repo;
}

/** Gitea's scope categories for the permissions above. */
const GITEA_SCOPE: Record<Need["permission"], string> = {
  issues: "issue",
  pull_requests: "repository",
  contents: "repository",
  statuses: "repository",
  checks: "repository",
  actions: "repository",
  metadata: "repository",
  repository_hooks: "repository",
};

export function authorizeGitea(model: ForgeModel, req: ApiRequest, need: Need): Repo {
  const repo = model.repo(`${req.params["owner"]}/${req.params["repo"]}`);
  const notFound = new ApiError(404, {
    errors: null,
    message: "The target couldn't be found.",
    url: `${req.base}/api/swagger`,
  });
  if (!repo) throw notFound;
  requireGiteaScope(req, GITEA_SCOPE[need.permission], need.level);
  const role = model.role(repo, req.user);
  if (!role) throw notFound;
  if (!roleAtLeast(role, need.role)) {
    throw new ApiError(403, {
      message: "user should have a permission to write to a repo",
      url: `${req.base}/api/swagger`,
    });
  }
  return repo;
}

export function requireGiteaScope(req: ApiRequest, category: string, level: "read" | "write"): void {
  const grant = req.token?.grant;
  if (grant?.kind !== "gitea") return;
  const held =
    grant.scopes.includes("all") ||
    grant.scopes.includes(`write:${category}`) ||
    (level === "read" && grant.scopes.includes(`read:${category}`));
  if (!held) {
    throw new ApiError(403, {
      message: `token does not have at least one of required scope(s): [${level}:${category}]`,
      url: `${req.base}/api/swagger`,
    });
  }
}

const DOCS = "https://docs.github.com/rest";

/** Whether a token's grant covers pushing: `repo`/`public_repo`, `contents: write`, `write:repository`. */
export function mayPush(token: Token | undefined): boolean {
  const grant = token?.grant;
  if (!grant) return false;
  if (grant.kind === "classic") return grant.scopes.includes("repo") || grant.scopes.includes("public_repo");
  if (grant.kind === "gitea")
    return grant.scopes.includes("all") || grant.scopes.includes("write:repository");
  return grant.permissions["contents"] === "write";
}

/** An App's RS256 JWT: `iss` names the App, the signature must verify with its public key, and it must not have expired. */
export function verifyJwt(model: ForgeModel, jwt: string): { id: number; slug: string } | undefined {
  const [header, payload, sig] = jwt.split(".");
  if (!header || !payload || !sig) return undefined;
  let claims: { iss?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { iss?: unknown; exp?: unknown };
  } catch {
    return undefined;
  }
  const app = model.apps.get(Number(claims.iss));
  if (!app || typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return undefined;
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${header}.${payload}`);
  return verifier.verify(createPublicKey(app.publicKey), Buffer.from(sig, "base64url")) ? app : undefined;
}
