/**
 * The fake forge's state: users and their tokens, repositories with issues, labels, comments,
 * pull requests, reviews, commit statuses, check runs and webhooks. Both API flavours (GitHub and
 * Gitea) render this one model in their own shapes. Every change bumps the issue's `updated_at`
 * and tells the listeners (webhook deliveries) what happened.
 */

export interface User {
  id: number;
  login: string;
}

/**
 * How a token is limited. `classic`: a GitHub classic token's OAuth scopes. `fine-grained`: a
 * GitHub fine-grained token's or an App installation token's permissions. `gitea`: a Gitea or
 * Forgejo token's scopes (`read:issue`, `write:repository`, `all`…).
 */
export type TokenGrant =
  | { kind: "classic"; scopes: string[] }
  | { kind: "fine-grained"; permissions: Record<string, "read" | "write"> }
  | { kind: "installation"; permissions: Record<string, "read" | "write"> }
  | { kind: "gitea"; scopes: string[] };

export interface Token {
  value: string;
  /** An installation token acts for its App, not for a user. */
  user: User | undefined;
  grant: TokenGrant;
}

export type Role = "read" | "triage" | "write" | "admin";

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string;
}

export interface Comment {
  id: number;
  user: User;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface Review {
  id: number;
  user: User;
  body: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
  commitId: string;
  submittedAt: string;
}

/** A comment on a line of a pull request's diff, alone or as part of a review. */
export interface ReviewComment {
  id: number;
  reviewId: number | null;
  user: User;
  body: string;
  path: string;
  line: number | null;
  commitId: string;
  inReplyTo: number | null;
  createdAt: string;
}

export interface Pull {
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  /** The merge commit, once merged. */
  mergeCommit?: string;
  reviews: Review[];
  comments: ReviewComment[];
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  labels: Label[];
  assignees: User[];
  user: User;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: Comment[];
  /** Set when this number is a pull request (issues and pulls share one numbering). */
  pull: Pull | undefined;
}

export interface CommitStatus {
  id: number;
  sha: string;
  state: "pending" | "success" | "failure" | "error";
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: User;
  createdAt: string;
}

export interface CheckRun {
  id: number;
  sha: string;
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  /** What its job printed: served as an Actions job's log. */
  logs: string | null;
  startedAt: string;
  completedAt: string | null;
}

export interface Hook {
  id: number;
  url: string;
  secret: string;
  events: string[];
  createdAt: string;
}

export interface Repo {
  id: number;
  owner: User;
  name: string;
  private: boolean;
  defaultBranch: string;
  /** The bare repository behind `<owner>/<name>.git`. */
  gitDir: string;
  createdAt: string;
  labels: Label[];
  issues: Map<number, Issue>;
  statuses: CommitStatus[];
  checkRuns: CheckRun[];
  hooks: Hook[];
  /** Roles by login; the owner is admin. */
  collaborators: Map<string, Role>;
  /** Branch protection by branch name: what a pull request into it needs before it merges. */
  protections: Map<string, { requiredApprovals: number }>;
  /** The App installation on this repository, if any. */
  installation: { id: number; appId: number; permissions: Record<string, "read" | "write"> } | undefined;
}

/** What changed, for webhook deliveries: the event name, an action and the issue it touched. */
export interface Change {
  repo: Repo;
  event:
    | "issues"
    | "issue_comment"
    | "pull_request"
    | "pull_request_review"
    | "pull_request_review_comment"
    | "status"
    | "check_run";
  action: string;
  issue?: Issue;
  label?: Label;
  assignee?: User;
  comment?: Comment;
  review?: Review;
  reviewComment?: ReviewComment;
  status?: CommitStatus;
  checkRun?: CheckRun;
  sender: User | undefined;
}

/** An App: its id, slug and the public key its JWTs are checked with. */
export interface App {
  id: number;
  slug: string;
  publicKey: string;
}

export class ForgeModel {
  readonly users = new Map<string, User>();
  readonly tokens = new Map<string, Token>();
  readonly repos = new Map<string, Repo>();
  readonly apps = new Map<number, App>();
  readonly #listeners: ((change: Change) => void)[] = [];
  #ids = 1000;
  #lastStamp = "";

  nextId(): number {
    return ++this.#ids;
  }

  /** Now, to the second, as both forges write times. */
  stamp(): string {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    this.#lastStamp = now > this.#lastStamp ? now : this.#lastStamp;
    return this.#lastStamp;
  }

  onChange(listener: (change: Change) => void): void {
    this.#listeners.push(listener);
  }

  changed(change: Change): void {
    if (change.issue) change.issue.updatedAt = this.stamp();
    for (const listener of this.#listeners) listener(change);
  }

  user(login: string): User {
    let user = this.users.get(login);
    if (!user) {
      user = { id: this.nextId(), login };
      this.users.set(login, user);
    }
    return user;
  }

  repo(fullName: string): Repo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  role(repo: Repo, user: User | undefined): Role | undefined {
    if (!user) return repo.private ? undefined : "read";
    if (user.id === repo.owner.id) return "admin";
    return repo.collaborators.get(user.login) ?? (repo.private ? undefined : "read");
  }

  label(repo: Repo, name: string): Label | undefined {
    return repo.labels.find((label) => label.name.toLowerCase() === name.toLowerCase());
  }

  createLabel(repo: Repo, name: string, color = "ededed", description = ""): Label {
    const label = { id: this.nextId(), name, color, description };
    repo.labels.push(label);
    return label;
  }

  createIssue(
    repo: Repo,
    author: User,
    fields: { title: string; body?: string | null; labels?: string[]; assignees?: string[] },
    pull?: Pull,
  ): Issue {
    const now = this.stamp();
    const issue: Issue = {
      id: this.nextId(),
      number: repo.issues.size + 1,
      title: fields.title,
      body: fields.body ?? null,
      state: "open",
      labels: (fields.labels ?? []).map((name) => this.label(repo, name) ?? this.createLabel(repo, name)),
      assignees: (fields.assignees ?? []).map((login) => this.user(login)),
      user: author,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      comments: [],
      pull,
    };
    repo.issues.set(issue.number, issue);
    this.changed({ repo, event: pull ? "pull_request" : "issues", action: "opened", issue, sender: author });
    return issue;
  }

  addLabels(repo: Repo, issue: Issue, names: string[], sender: User | undefined): void {
    for (const name of names) {
      if (issue.labels.some((label) => label.name.toLowerCase() === name.toLowerCase())) continue;
      const label = this.label(repo, name) ?? this.createLabel(repo, name);
      issue.labels.push(label);
      this.changed({ repo, event: eventOf(issue), action: "labeled", issue, label, sender });
    }
  }

  removeLabel(repo: Repo, issue: Issue, label: Label, sender: User | undefined): void {
    issue.labels = issue.labels.filter((l) => l.id !== label.id);
    this.changed({ repo, event: eventOf(issue), action: "unlabeled", issue, label, sender });
  }

  setAssignees(repo: Repo, issue: Issue, users: User[], sender: User | undefined): void {
    const before = issue.assignees;
    issue.assignees = users;
    for (const user of users.filter((u) => !before.some((b) => b.id === u.id))) {
      this.changed({ repo, event: eventOf(issue), action: "assigned", issue, assignee: user, sender });
    }
    for (const user of before.filter((b) => !users.some((u) => u.id === b.id))) {
      this.changed({ repo, event: eventOf(issue), action: "unassigned", issue, assignee: user, sender });
    }
  }

  setState(repo: Repo, issue: Issue, state: "open" | "closed", sender: User | undefined): void {
    if (issue.state === state) return;
    issue.state = state;
    issue.closedAt = state === "closed" ? this.stamp() : null;
    this.changed({
      repo,
      event: eventOf(issue),
      action: state === "closed" ? "closed" : "reopened",
      issue,
      sender,
    });
  }

  edit(
    repo: Repo,
    issue: Issue,
    fields: { title?: string; body?: string | null },
    sender: User | undefined,
  ): void {
    if (fields.title !== undefined) issue.title = fields.title;
    if (fields.body !== undefined) issue.body = fields.body;
    this.changed({ repo, event: eventOf(issue), action: "edited", issue, sender });
  }

  comment(repo: Repo, issue: Issue, user: User, body: string): Comment {
    const now = this.stamp();
    const comment = { id: this.nextId(), user, body, createdAt: now, updatedAt: now };
    issue.comments.push(comment);
    this.changed({ repo, event: "issue_comment", action: "created", issue, comment, sender: user });
    return comment;
  }

  reviewComment(
    repo: Repo,
    issue: Issue,
    user: User,
    fields: { path: string; line: number | null; body: string; commitId: string; inReplyTo: number | null },
  ): ReviewComment {
    const reviewComment = { ...fields, id: this.nextId(), reviewId: null, user, createdAt: this.stamp() };
    (issue.pull as Pull).comments.push(reviewComment);
    this.changed({
      repo,
      event: "pull_request_review_comment",
      action: "created",
      issue,
      reviewComment,
      sender: user,
    });
    return reviewComment;
  }

  addStatus(
    repo: Repo,
    creator: User,
    fields: Omit<CommitStatus, "id" | "creator" | "createdAt">,
  ): CommitStatus {
    const status = { id: this.nextId(), ...fields, creator, createdAt: this.stamp() };
    repo.statuses.push(status);
    this.changed({ repo, event: "status", action: status.state, status, sender: creator });
    return status;
  }

  review(
    repo: Repo,
    issue: Issue,
    user: User,
    body: string,
    state: Review["state"],
    comments: { path: string; line: number | null; body: string }[] = [],
  ): Review {
    const pull = issue.pull as Pull;
    const review = {
      id: this.nextId(),
      user,
      body,
      state,
      commitId: pull.headSha,
      submittedAt: this.stamp(),
    };
    pull.reviews.push(review);
    for (const comment of comments) {
      const common = {
        reviewId: review.id,
        user,
        commitId: pull.headSha,
        inReplyTo: null,
        createdAt: review.submittedAt,
      };
      pull.comments.push({ ...comment, ...common, id: this.nextId() });
    }
    this.changed({ repo, event: "pull_request_review", action: "submitted", issue, review, sender: user });
    return review;
  }
}

function eventOf(issue: Issue): "issues" | "pull_request" {
  return issue.pull ? "pull_request" : "issues";
}
