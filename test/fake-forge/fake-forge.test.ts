import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { type ForgeKind, signature, startFakeForge } from "../../src/demo/forge/index.ts";
import { gitOut, gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

async function forgeWithRepo(t: TestContext, kind: ForgeKind) {
  const forge = await startFakeForge(kind, tempDir(t));
  t.after(() => forge.close());
  const repo = forge.createRepo("acme/app", { private: true });
  const token = forge.addToken(
    "acme",
    kind === "github" ? { kind: "classic", scopes: ["repo"] } : { kind: "gitea", scopes: ["all"] },
  );
  const api = kind === "github" ? forge.url : `${forge.url}/api/v1`;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${api}${path}`, { headers: { authorization: `token ${token}`, ...headers } });
  return { forge, repo, token, get };
}

describe("fake forge", () => {
  for (const kind of ["github", "gitea"] as const) {
    it(`${kind}: pages issue lists with Link headers`, async (t) => {
      const { forge, repo, get } = await forgeWithRepo(t, kind);
      for (let n = 1; n <= 5; n++) forge.createIssue(repo, { title: `issue ${n}` });
      const size = kind === "github" ? "per_page" : "limit";
      const first = await get(`/repos/acme/app/issues?${size}=2`);
      assert.equal(((await first.json()) as unknown[]).length, 2);
      assert.match(first.headers.get("link") ?? "", /=2&page=2>; rel="next", <[^>]+page=3>; rel="last"/);
      const last = await get(`/repos/acme/app/issues?${size}=2&page=3`);
      assert.deepEqual(
        ((await last.json()) as { number: number }[]).map((i) => i.number),
        [1],
      );
      assert.doesNotMatch(last.headers.get("link") ?? "", /rel="next"/);
      if (kind === "gitea") assert.equal(last.headers.get("x-total-count"), "5");
    });

    it(`${kind}: fails on demand, then recovers`, async (t) => {
      const { forge, get } = await forgeWithRepo(t, kind);
      forge.fail(2, 502);
      assert.equal((await get("/repos/acme/app")).status, 502);
      assert.equal((await get("/repos/acme/app")).status, 502);
      assert.equal((await get("/repos/acme/app")).status, 200);
    });

    it(`${kind}: serves real git, refusing a push without write access`, async (t) => {
      const { forge, repo, token } = await forgeWithRepo(t, kind);
      const work = gitRepo(t, { "a.txt": "a\n" });
      await forge.push(work, repo, token, "main");
      assert.equal(gitOut(repo.gitDir, "rev-parse", "main"), gitOut(work, "rev-parse", "HEAD"));
      const reader = forge.addToken(
        "reader",
        kind === "github" ? { kind: "classic", scopes: ["repo"] } : { kind: "gitea", scopes: ["all"] },
      );
      forge.addCollaborator(repo, "reader", "read");
      await assert.rejects(forge.push(work, repo, reader, "main:other"), /git push/);
    });

    it(`${kind}: delivers signed webhooks for changes, and replays them`, async (t) => {
      const { forge, repo, token } = await forgeWithRepo(t, kind);
      const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
      const receiver = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          received.push({ headers: req.headers, body });
          res.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      t.after(() => receiver.close());
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      forge.addHook(repo, url, "s3cret");
      const api = kind === "github" ? forge.url : `${forge.url}/api/v1`;
      const created = forge.createIssue(repo, { title: "x" });
      await fetch(`${api}/repos/acme/app/issues/${created.number}/comments`, {
        method: "POST",
        headers: { authorization: `token ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ body: "hello" }),
      });
      await forge.settled();
      assert.equal(received.length, 2);
      const [, comment] = received as [unknown, { headers: Record<string, string>; body: string }];
      const hex = signature("s3cret", comment.body);
      assert.equal(comment.headers["x-hub-signature-256"], `sha256=${hex}`);
      if (kind === "github") assert.equal(comment.headers["x-github-event"], "issue_comment");
      else assert.equal(comment.headers["x-gitea-signature"], hex);
      forge.redeliver(forge.deliveries[1]?.id as string);
      forge.deliver(url, "issues", { action: "opened" }, "s3cret", { signatureSecret: "wrong" });
      await forge.settled();
      assert.equal(received[2]?.body, comment.body);
      assert.notEqual(
        received[3]?.headers["x-hub-signature-256"],
        `sha256=${signature("s3cret", received[3]?.body ?? "")}`,
      );
    });
  }

  it("github: answers 304 to a matching If-None-Match without spending the rate limit", async (t) => {
    const { get } = await forgeWithRepo(t, "github");
    const first = await get("/repos/acme/app/issues");
    const etag = first.headers.get("etag") as string;
    const remaining = Number(first.headers.get("x-ratelimit-remaining"));
    const again = await get("/repos/acme/app/issues", { "if-none-match": etag });
    assert.equal(again.status, 304);
    const third = await get("/repos/acme/app");
    assert.equal(Number(third.headers.get("x-ratelimit-remaining")), remaining - 1);
  });

  it("github: throttles with the primary and secondary limits' headers", async (t) => {
    const { forge, get } = await forgeWithRepo(t, "github");
    forge.throttle({ style: "secondary", count: 1, retryAfter: 7 });
    const secondary = await get("/repos/acme/app");
    assert.equal(secondary.status, 403);
    assert.equal(secondary.headers.get("retry-after"), "7");
    assert.match(((await secondary.json()) as { message: string }).message, /secondary rate limit/);
    forge.throttle({ style: "primary", count: 1, retryAfter: 60 });
    const primary = await get("/repos/acme/app");
    assert.equal(primary.headers.get("x-ratelimit-remaining"), "0");
  });

  it("github: shows a classic token's scopes and hides a private repository from a token without `repo`", async (t) => {
    const { forge } = await forgeWithRepo(t, "github");
    const narrow = forge.addToken("acme", { kind: "classic", scopes: ["read:org"] });
    const response = await fetch(`${forge.url}/repos/acme/app`, {
      headers: { authorization: `token ${narrow}` },
    });
    assert.equal(response.status, 404);
    assert.equal(response.headers.get("x-oauth-scopes"), "read:org");
    const fine = forge.addToken("acme", {
      kind: "fine-grained",
      permissions: { metadata: "read", issues: "read" },
    });
    const denied = await fetch(`${forge.url}/repos/acme/app/labels`, {
      method: "POST",
      headers: { authorization: `token ${fine}` },
      body: "{}",
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get("x-accepted-github-permissions"), "issues=write");
  });

  it("gitea: names the scope a token lacks", async (t) => {
    const { forge } = await forgeWithRepo(t, "gitea");
    const narrow = forge.addToken("acme", { kind: "gitea", scopes: ["read:repository", "read:issue"] });
    const response = await fetch(`${forge.url}/api/v1/repos/acme/app/labels`, {
      method: "POST",
      headers: { authorization: `token ${narrow}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 403);
    assert.match(
      ((await response.json()) as { message: string }).message,
      /required scope\(s\): \[write:issue\]/,
    );
  });

  it("gitea: opens a draft pull request from a pushed branch, refuses a second, keeps a review's line comments", async (t) => {
    const { forge, repo, token } = await forgeWithRepo(t, "gitea");
    const work = gitRepo(t, { "a.txt": "a\n" });
    await forge.push(work, repo, token, "main", "main:feature");
    const post = (path: string, body: unknown) =>
      fetch(`${forge.url}/api/v1/repos/acme/app${path}`, {
        method: "POST",
        headers: { authorization: `token ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const created = await post("/pulls", { title: "WIP: add it", head: "feature", base: "main" });
    assert.equal(created.status, 201);
    const pull = (await created.json()) as { number: number; draft: boolean; head: { sha: string } };
    assert.equal(pull.draft, true);
    assert.equal(pull.head.sha, gitOut(work, "rev-parse", "HEAD"));
    assert.equal((await post("/pulls", { title: "again", head: "feature", base: "main" })).status, 409);
    const review = await post(`/pulls/${pull.number}/reviews`, {
      event: "REQUEST_CHANGES",
      body: "see the line",
      comments: [{ path: "a.txt", body: "not a", new_position: 1 }],
    });
    const { id, state } = (await review.json()) as { id: number; state: string };
    assert.equal(state, "REQUEST_CHANGES");
    const comments = await fetch(
      `${forge.url}/api/v1/repos/acme/app/pulls/${pull.number}/reviews/${id}/comments`,
      {
        headers: { authorization: `token ${token}` },
      },
    );
    assert.deepEqual(
      ((await comments.json()) as { body: string; path: string }[]).map((c) => [c.path, c.body]),
      [["a.txt", "not a"]],
    );
  });

  it("keeps its repositories on disk as bare git repositories", async (t) => {
    const dir = tempDir(t);
    const forge = await startFakeForge("gitea", dir);
    t.after(() => forge.close());
    const repo = forge.createRepo("acme/app");
    assert.equal(repo.gitDir, join(dir, "repos", "acme--app.git"));
    assert.equal(gitOut(repo.gitDir, "rev-parse", "--is-bare-repository"), "true");
  });
});
