import type { Comment, Issue, Label, Repo, Role, User } from "./model.ts";

/**
 * GitHub's JSON shapes for the model, as the REST API returns them: every field the official
 * OpenAPI description requires (the fake's own tests check each one against it). Web URLs and API
 * URLs share the fake's one address.
 */

export const nodeId = (kind: string, id: number) => Buffer.from(`${kind}_${id}`).toString("base64");

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

export const REPO_URLS: Record<string, string> = {
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
