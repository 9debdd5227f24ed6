import { label, nodeId, REPO_URLS, repository, repoUrl, user } from "./github-shapes.ts";
import type { CheckRun, CommitStatus, Hook, Issue, Repo, Review, ReviewComment } from "./model.ts";

/**
 * GitHub's shapes for pull requests, reviews, commit statuses, check runs, webhooks and App
 * installations: every field the OpenAPI description requires, as in github-shapes.ts.
 */

/** A pull request; `full` adds what only `GET /pulls/{n}` carries (merge state, counts). */
export function pull(base: string, repo: Repo, i: Issue, full: boolean) {
  const p = i.pull;
  if (!p) throw new Error(`#${i.number} is not a pull request`);
  const url = `${repoUrl(base, repo)}/pulls/${i.number}`;
  const html = `${base}/${repo.owner.login}/${repo.name}/pull/${i.number}`;
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: user(base, repo.owner),
    repo: repository(base, repo),
  });
  const href = (h: string) => ({ href: h });
  const simple = {
    url,
    id: i.id,
    node_id: nodeId("PR", i.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${repoUrl(base, repo)}/issues/${i.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoUrl(base, repo)}/pulls/comments{/number}`,
    comments_url: `${repoUrl(base, repo)}/issues/${i.number}/comments`,
    statuses_url: `${repoUrl(base, repo)}/statuses/${p.headSha}`,
    number: i.number,
    state: i.state,
    locked: false,
    title: i.title,
    user: user(base, i.user),
    body: i.body,
    labels: i.labels.map((l) => label(base, repo, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommit ?? null,
    assignee: i.assignees[0] ? user(base, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => user(base, a)),
    requested_reviewers: [],
    requested_teams: [],
    head: side(p.head, p.headSha),
    base: side(p.base, p.baseSha),
    _links: {
      self: href(url),
      html: href(html),
      issue: href(`${repoUrl(base, repo)}/issues/${i.number}`),
      comments: href(`${repoUrl(base, repo)}/issues/${i.number}/comments`),
      review_comments: href(`${url}/comments`),
      review_comment: href(`${repoUrl(base, repo)}/pulls/comments{/number}`),
      commits: href(`${url}/commits`),
      statuses: href(`${repoUrl(base, repo)}/statuses/${p.headSha}`),
    },
    author_association: i.user.id === repo.owner.id ? "OWNER" : "NONE",
    auto_merge: null,
    draft: p.draft,
  };
  if (!full) return simple;
  return {
    ...simple,
    merged: p.merged,
    mergeable: i.state === "open" ? true : null,
    rebaseable: i.state === "open" ? true : null,
    mergeable_state: p.draft ? "draft" : "clean",
    merged_by: null,
    comments: i.comments.length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function review(base: string, repo: Repo, i: Issue, r: Review) {
  const html = `${base}/${repo.owner.login}/${repo.name}/pull/${i.number}#pullrequestreview-${r.id}`;
  return {
    id: r.id,
    node_id: nodeId("PRR", r.id),
    user: user(base, r.user),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: `${repoUrl(base, repo)}/pulls/${i.number}`,
    _links: { html: { href: html }, pull_request: { href: `${repoUrl(base, repo)}/pulls/${i.number}` } },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: r.user.id === repo.owner.id ? "OWNER" : "NONE",
  };
}

export function status(base: string, repo: Repo, s: CommitStatus) {
  return {
    url: `${repoUrl(base, repo)}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: nodeId("SC", s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: user(base, s.creator),
  };
}

export function combinedStatus(base: string, repo: Repo, sha: string, statuses: CommitStatus[]) {
  const latest = new Map<string, CommitStatus>();
  for (const s of statuses) latest.set(s.context, s);
  const all = [...latest.values()];
  const state = all.some((s) => s.state === "failure" || s.state === "error")
    ? "failure"
    : all.length > 0 && all.every((s) => s.state === "success")
      ? "success"
      : "pending";
  return {
    state,
    statuses: all.map((s) => {
      const { creator: _creator, ...simple } = status(base, repo, s);
      return simple;
    }),
    sha,
    total_count: all.length,
    repository: minimalRepository(base, repo),
    commit_url: `${repoUrl(base, repo)}/commits/${sha}`,
    url: `${repoUrl(base, repo)}/commits/${sha}/status`,
  };
}

function minimalRepository(base: string, repo: Repo) {
  const full = repository(base, repo);
  const keep = new Set([
    "id",
    "node_id",
    "name",
    "full_name",
    "owner",
    "private",
    "html_url",
    "description",
    "fork",
    "url",
    ...Object.keys(REPO_URLS),
  ]);
  return Object.fromEntries(Object.entries(full).filter(([key]) => keep.has(key)));
}

export function checkRun(
  base: string,
  repo: Repo,
  c: CheckRun,
  app: { id: number; slug: string } | undefined,
) {
  const url = `${repoUrl(base, repo)}/check-runs/${c.id}`;
  return {
    id: c.id,
    node_id: nodeId("CR", c.id),
    head_sha: c.sha,
    external_id: String(c.id),
    url,
    html_url: `${base}/${repo.owner.login}/${repo.name}/runs/${c.id}`,
    details_url: null,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.title,
      summary: c.summary,
      text: c.text,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.id },
    app: app
      ? {
          id: app.id,
          slug: app.slug,
          node_id: nodeId("A", app.id),
          owner: user(base, repo.owner),
          name: app.slug,
          description: null,
          external_url: `${base}/apps/${app.slug}`,
          html_url: `${base}/apps/${app.slug}`,
          created_at: repo.createdAt,
          updated_at: repo.createdAt,
          permissions: {},
          events: [],
        }
      : null,
    pull_requests: [],
  };
}

export function hook(base: string, repo: Repo, h: Hook) {
  const url = `${repoUrl(base, repo)}/hooks/${h.id}`;
  return {
    type: "Repository",
    id: h.id,
    name: "web",
    active: true,
    events: h.events,
    config: { url: h.url, content_type: "json", insecure_ssl: "0" },
    updated_at: h.createdAt,
    created_at: h.createdAt,
    url,
    test_url: `${url}/test`,
    ping_url: `${url}/pings`,
    deliveries_url: `${url}/deliveries`,
    last_response: { code: null, status: "unused", message: null },
  };
}

export function installation(base: string, repo: Repo, app: { id: number; slug: string }) {
  const inst = repo.installation;
  if (!inst) throw new Error("no installation");
  return {
    id: inst.id,
    account: user(base, repo.owner),
    repository_selection: "selected",
    access_tokens_url: `${base}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${base}/installation/repositories`,
    html_url: `${base}/settings/installations/${inst.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: repo.owner.id,
    target_type: "User",
    permissions: inst.permissions,
    events: [],
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

export function reviewComment(base: string, repo: Repo, i: Issue, c: ReviewComment) {
  const url = `${repoUrl(base, repo)}/pulls/comments/${c.id}`;
  const html = `${base}/${repo.owner.login}/${repo.name}/pull/${i.number}#discussion_r${c.id}`;
  const pullUrl = `${repoUrl(base, repo)}/pulls/${i.number}`;
  return {
    url,
    id: c.id,
    node_id: nodeId("PRRC", c.id),
    pull_request_review_id: c.reviewId,
    diff_hunk: "@@ -1 +1 @@",
    path: c.path,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    ...(c.inReplyTo !== null && { in_reply_to_id: c.inReplyTo }),
    user: user(base, c.user),
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.createdAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: c.user.id === repo.owner.id ? "OWNER" : "NONE",
    _links: { self: { href: url }, html: { href: html }, pull_request: { href: pullUrl } },
    line: c.line,
    side: "RIGHT",
    subject_type: "line",
  };
}
