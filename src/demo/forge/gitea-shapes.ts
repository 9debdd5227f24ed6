import type {
  Comment,
  CommitStatus,
  Hook,
  Issue,
  Label,
  Repo,
  Review,
  ReviewComment,
  Role,
  User,
} from "./model.ts";

/**
 * Gitea's (and Forgejo's) API v1 JSON shapes for the model, as Gitea 1.23 returns them: no
 * `node_id`s, `assignees` null when empty, a `repository` stub on every issue, review states
 * spelled `REQUEST_CHANGES` and `COMMENT`, a draft pull request marked by its "WIP:" title.
 */

export function user(base: string, u: User) {
  return {
    id: u.id,
    login: u.login,
    login_name: "",
    source_id: 0,
    full_name: "",
    email: `${u.login}@noreply.localhost`,
    avatar_url: `${base}/avatars/${u.login}`,
    html_url: `${base}/${u.login}`,
    language: "",
    is_admin: false,
    last_login: "2024-01-01T00:00:00Z",
    created: "2024-01-01T00:00:00Z",
    restricted: false,
    active: true,
    prohibit_login: false,
    location: "",
    website: "",
    description: "",
    visibility: "public",
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: u.login,
  };
}

export function repoUrl(base: string, repo: Repo): string {
  return `${base}/api/v1/repos/${repo.owner.login}/${repo.name}`;
}

export function repository(base: string, repo: Repo, role?: Role) {
  const fullName = `${repo.owner.login}/${repo.name}`;
  const issues = [...repo.issues.values()];
  const rank = role ? ["read", "triage", "write", "admin"].indexOf(role) : -1;
  return {
    id: repo.id,
    owner: user(base, repo.owner),
    name: repo.name,
    full_name: fullName,
    description: "",
    empty: false,
    private: repo.private,
    fork: false,
    template: false,
    parent: null,
    mirror: false,
    size: 0,
    language: "",
    languages_url: `${repoUrl(base, repo)}/languages`,
    html_url: `${base}/${fullName}`,
    url: repoUrl(base, repo),
    link: "",
    ssh_url: `git@localhost:${fullName}.git`,
    clone_url: `${base}/${fullName}.git`,
    original_url: "",
    website: "",
    stars_count: 0,
    forks_count: 0,
    watchers_count: 0,
    open_issues_count: issues.filter((i) => !i.pull && i.state === "open").length,
    open_pr_counter: issues.filter((i) => i.pull && i.state === "open").length,
    release_counter: 0,
    default_branch: repo.defaultBranch,
    archived: false,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    archived_at: "1970-01-01T00:00:00Z",
    permissions: { admin: rank >= 3, push: rank >= 2, pull: rank >= 0 },
    has_issues: true,
    internal_tracker: {
      enable_time_tracker: false,
      allow_only_contributors_to_track_time: true,
      enable_issue_dependencies: true,
    },
    has_wiki: false,
    has_pull_requests: true,
    has_projects: false,
    has_releases: false,
    has_packages: false,
    has_actions: false,
    ignore_whitespace_conflicts: false,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    allow_fast_forward_only_merge: false,
    allow_rebase_update: true,
    default_delete_branch_after_merge: false,
    default_merge_style: "merge",
    default_allow_maintainer_edit: false,
    avatar_url: "",
    internal: false,
    mirror_interval: "",
    object_format_name: "sha1",
    mirror_updated: "0001-01-01T00:00:00Z",
    repo_transfer: null,
    topics: [],
    licenses: [],
  };
}

export function label(base: string, repo: Repo, l: Label) {
  return {
    id: l.id,
    name: l.name,
    exclusive: false,
    is_archived: false,
    color: l.color,
    description: l.description,
    url: `${repoUrl(base, repo)}/labels/${l.id}`,
  };
}

export function isDraft(title: string): boolean {
  return /^\s*(WIP:|\[WIP\])/i.test(title);
}

export function issue(base: string, repo: Repo, i: Issue) {
  const html = `${base}/${repo.owner.login}/${repo.name}/${i.pull ? "pulls" : "issues"}/${i.number}`;
  return {
    id: i.id,
    url: `${repoUrl(base, repo)}/issues/${i.number}`,
    html_url: html,
    number: i.number,
    user: user(base, i.user),
    original_author: "",
    original_author_id: 0,
    title: i.title,
    body: i.body ?? "",
    ref: "",
    assets: [],
    labels: i.labels.map((l) => label(base, repo, l)),
    milestone: null,
    assignee: i.assignees[0] ? user(base, i.assignees[0]) : null,
    assignees: i.assignees.length ? i.assignees.map((a) => user(base, a)) : null,
    state: i.state,
    is_locked: false,
    comments: i.comments.length,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    due_date: null,
    pull_request: i.pull
      ? { merged: i.pull.merged, merged_at: i.pull.mergedAt, draft: isDraft(i.title), html_url: html }
      : null,
    repository: {
      id: repo.id,
      name: repo.name,
      owner: repo.owner.login,
      full_name: `${repo.owner.login}/${repo.name}`,
    },
    pin_order: 0,
  };
}

export function comment(base: string, repo: Repo, i: Issue, c: Comment) {
  return {
    id: c.id,
    html_url: `${base}/${repo.owner.login}/${repo.name}/issues/${i.number}#issuecomment-${c.id}`,
    pull_request_url: i.pull ? `${base}/${repo.owner.login}/${repo.name}/pulls/${i.number}` : "",
    issue_url: `${base}/${repo.owner.login}/${repo.name}/issues/${i.number}`,
    user: user(base, c.user),
    original_author: "",
    original_author_id: 0,
    body: c.body,
    assets: [],
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function pull(base: string, repo: Repo, i: Issue) {
  const p = i.pull;
  if (!p) throw new Error(`#${i.number} is not a pull request`);
  const html = `${base}/${repo.owner.login}/${repo.name}/pulls/${i.number}`;
  const side = (ref: string, sha: string) => ({
    label: ref,
    ref,
    sha,
    repo_id: repo.id,
    repo: repository(base, repo),
  });
  return {
    id: i.id,
    url: html,
    number: i.number,
    user: user(base, i.user),
    title: i.title,
    body: i.body ?? "",
    labels: i.labels.map((l) => label(base, repo, l)),
    milestone: null,
    assignee: i.assignees[0] ? user(base, i.assignees[0]) : null,
    assignees: i.assignees.length ? i.assignees.map((a) => user(base, a)) : null,
    requested_reviewers: null,
    requested_reviewers_teams: null,
    state: i.state,
    draft: isDraft(i.title),
    is_locked: false,
    comments: i.comments.length,
    review_comments: 0,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    mergeable: i.state === "open",
    merged: p.merged,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommit ?? null,
    merged_by: null,
    allow_maintainer_edit: false,
    base: side(p.base, p.baseSha),
    head: side(p.head, p.headSha),
    merge_base: p.baseSha,
    due_date: null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    pin_order: 0,
  };
}

export function review(base: string, repo: Repo, i: Issue, r: Review) {
  const state =
    r.state === "CHANGES_REQUESTED" ? "REQUEST_CHANGES" : r.state === "COMMENTED" ? "COMMENT" : r.state;
  return {
    id: r.id,
    user: user(base, r.user),
    team: null,
    state,
    body: r.body,
    commit_id: r.commitId,
    stale: false,
    official: state !== "COMMENT",
    dismissed: false,
    comments_count: (i.pull?.comments ?? []).filter((c) => c.reviewId === r.id).length,
    submitted_at: r.submittedAt,
    updated_at: r.submittedAt,
    html_url: `${base}/${repo.owner.login}/${repo.name}/pulls/${i.number}#issuecomment-${r.id}`,
    pull_request_url: `${base}/${repo.owner.login}/${repo.name}/pulls/${i.number}`,
  };
}

export function status(base: string, repo: Repo, s: CommitStatus) {
  return {
    id: s.id,
    status: s.state,
    target_url: s.targetUrl ?? "",
    description: s.description ?? "",
    url: `${repoUrl(base, repo)}/statuses/${s.sha}`,
    context: s.context,
    creator: user(base, s.creator),
    created_at: s.createdAt,
    updated_at: s.createdAt,
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
    sha,
    total_count: all.length,
    statuses: all.map((s) => status(base, repo, s)),
    repository: repository(base, repo),
    commit_url: `${repoUrl(base, repo)}/commits/${sha}`,
    url: `${repoUrl(base, repo)}/commits/${sha}/status`,
  };
}

export function hook(base: string, repo: Repo, h: Hook) {
  return {
    id: h.id,
    type: "gitea",
    branch_filter: "",
    config: { url: h.url, content_type: "json" },
    events: h.events,
    authorization_header: "",
    active: true,
    updated_at: h.createdAt,
    created_at: h.createdAt,
    url: `${repoUrl(base, repo)}/hooks/${h.id}`,
  };
}

export function reviewComment(base: string, repo: Repo, i: Issue, c: ReviewComment) {
  const pullUrl = `${base}/${repo.owner.login}/${repo.name}/pulls/${i.number}`;
  return {
    id: c.id,
    body: c.body,
    user: user(base, c.user),
    resolver: null,
    pull_request_review_id: c.reviewId,
    created_at: c.createdAt,
    updated_at: c.createdAt,
    path: c.path,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    diff_hunk: "@@ -1 +1 @@",
    position: c.line ?? 0,
    original_position: c.line ?? 0,
    html_url: `${pullUrl}/files#issuecomment-${c.id}`,
    pull_request_url: pullUrl,
  };
}
