import type {
  CheckRun,
  Comment,
  CommitStatus,
  Hook,
  Issue,
  Label,
  Repo,
  Review,
  Role,
  User,
} from "./model.ts";

/**
 * GitHub's JSON shapes for the model, as the REST API returns them: every field the official
 * OpenAPI description requires (the fake's own tests check each one against it). Web URLs and API
 * URLs share the fake's one address.
 */

const nodeId = (kind: string, id: number) => Buffer.from(`${kind}_${id}`).toString("base64");

export function user(base: string, u: User) {
  const url = `${base}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId("U", u.id),
    avatar_url: `${base}/avatars/${u.login}`,
    gravatar_id: "",
    url,
    html_url: `${base}/${u.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: "User",
    site_admin: false,
  };
}

/** `GET /user`: the private-user shape. */
export function privateUser(base: string, u: User) {
  return {
    ...user(base, u),
    name: u.login,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: false,
  };
}

export function repoUrl(base: string, repo: Repo): string {
  return `${base}/repos/${repo.owner.login}/${repo.name}`;
}

export function repository(base: string, repo: Repo, role?: Role) {
  const url = repoUrl(base, repo);
  const fullName = `${repo.owner.login}/${repo.name}`;
  const templated: Record<string, string> = {};
  for (const [key, suffix] of Object.entries(REPO_URLS)) templated[key] = `${url}${suffix}`;
  const open = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: fullName,
    owner: user(base, repo.owner),
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    html_url: `${base}/${fullName}`,
    description: null,
    fork: false,
    url,
    ...templated,
    git_url: `git://${base.replace(/^https?:\/\//, "")}/${fullName}.git`,
    ssh_url: `git@${base.replace(/^https?:\/\//, "").replace(/:\d+$/, "")}:${fullName}.git`,
    clone_url: `${base}/${fullName}.git`,
    svn_url: `${base}/${fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: open,
    open_issues_count: open,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    network_count: 0,
    subscribers_count: 0,
    ...(role && { permissions: permissionsOf(role) }),
  };
}

const REPO_URLS: Record<string, string> = {
  archive_url: "/{archive_format}{/ref}",
  assignees_url: "/assignees{/user}",
  blobs_url: "/git/blobs{/sha}",
  branches_url: "/branches{/branch}",
  collaborators_url: "/collaborators{/collaborator}",
  comments_url: "/comments{/number}",
  commits_url: "/commits{/sha}",
  compare_url: "/compare/{base}...{head}",
  contents_url: "/contents/{+path}",
  contributors_url: "/contributors",
  deployments_url: "/deployments",
  downloads_url: "/downloads",
  events_url: "/events",
  forks_url: "/forks",
  git_commits_url: "/git/commits{/sha}",
  git_refs_url: "/git/refs{/sha}",
  git_tags_url: "/git/tags{/sha}",
  hooks_url: "/hooks",
  issue_comment_url: "/issues/comments{/number}",
  issue_events_url: "/issues/events{/number}",
  issues_url: "/issues{/number}",
  keys_url: "/keys{/key_id}",
  labels_url: "/labels{/name}",
  languages_url: "/languages",
  merges_url: "/merges",
  milestones_url: "/milestones{/number}",
  notifications_url: "/notifications{?since,all,participating}",
  pulls_url: "/pulls{/number}",
  releases_url: "/releases{/id}",
  stargazers_url: "/stargazers",
  statuses_url: "/statuses/{sha}",
  subscribers_url: "/subscribers",
  subscription_url: "/subscription",
  tags_url: "/tags",
  teams_url: "/teams",
  trees_url: "/git/trees{/sha}",
};

function permissionsOf(role: Role) {
  const rank = ["read", "triage", "write", "admin"].indexOf(role);
  return { admin: rank >= 3, maintain: rank >= 3, push: rank >= 2, triage: rank >= 1, pull: true };
}

export function label(base: string, repo: Repo, l: Label) {
  return {
    id: l.id,
    node_id: nodeId("L", l.id),
    url: `${repoUrl(base, repo)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description || null,
    color: l.color,
    default: false,
  };
}

export function issue(base: string, repo: Repo, i: Issue) {
  const url = `${repoUrl(base, repo)}/issues/${i.number}`;
  const html = `${base}/${repo.owner.login}/${repo.name}/${i.pull ? "pull" : "issues"}/${i.number}`;
  return {
    id: i.id,
    node_id: nodeId("I", i.id),
    url,
    repository_url: repoUrl(base, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    number: i.number,
    state: i.state,
    state_reason: i.state === "closed" ? "completed" : null,
    title: i.title,
    body: i.body,
    user: user(base, i.user),
    labels: i.labels.map((l) => label(base, repo, l)),
    assignee: i.assignees[0] ? user(base, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => user(base, a)),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments.length,
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    author_association: i.user.id === repo.owner.id ? "OWNER" : "NONE",
    ...(i.pull && {
      draft: i.pull.draft,
      pull_request: {
        url: `${repoUrl(base, repo)}/pulls/${i.number}`,
        html_url: html,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        merged_at: i.pull.mergedAt,
      },
    }),
  };
}

export function comment(base: string, repo: Repo, i: Issue, c: Comment) {
  return {
    id: c.id,
    node_id: nodeId("IC", c.id),
    url: `${repoUrl(base, repo)}/issues/comments/${c.id}`,
    html_url: `${base}/${repo.owner.login}/${repo.name}/issues/${i.number}#issuecomment-${c.id}`,
    issue_url: `${repoUrl(base, repo)}/issues/${i.number}`,
    body: c.body,
    user: user(base, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: c.user.id === repo.owner.id ? "OWNER" : "NONE",
  };
}

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
    merge_commit_sha: null,
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
      text: null,
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
