import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { createAppAuth } from "@octokit/auth-app";
import { startFakeForge } from "../../src/demo/forge/index.ts";
import { gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { responseProblems } from "./openapi.ts";

describe("fake forge: GitHub responses match GitHub's OpenAPI description", () => {
  it("answers every operation gaffer uses in the documented shape", async (t) => {
    const forge = await startFakeForge("github", tempDir(t));
    t.after(() => forge.close());
    const repo = forge.createRepo("acme/app");
    const token = forge.addToken("acme", { kind: "classic", scopes: ["repo"] });
    forge.addCollaborator(repo, "bot", "write");
    const work = gitRepo(t, { "README.md": "hi\n" });
    await forge.push(work, repo, token, "main", "main:feature");
    forge.createIssue(repo, {
      title: "First",
      body: "## Depends on\n- #2",
      labels: ["backlog"],
      assignees: ["bot"],
    });
    forge.createIssue(repo, { title: "Second" });

    const call = async (method: string, template: string, path: string, body?: unknown) => {
      const response = await fetch(`${forge.url}${path}`, {
        method,
        headers: {
          authorization: `token ${token}`,
          ...(body !== undefined && { "content-type": "application/json" }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const data = response.status === 204 ? undefined : ((await response.json()) as unknown);
      assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
      assert.deepEqual(responseProblems(method, template, response.status, data), [], `${method} ${path}`);
      return data as Record<string, unknown>;
    };
    const r = "/repos/{owner}/{repo}";
    await call("GET", "/user", "/user");
    await call("GET", r, "/repos/acme/app");
    await call("GET", `${r}/issues`, "/repos/acme/app/issues?state=all&labels=backlog");
    await call("POST", `${r}/issues`, "/repos/acme/app/issues", {
      title: "Third",
      body: "x",
      labels: ["bug"],
    });
    await call("GET", `${r}/issues/{issue_number}`, "/repos/acme/app/issues/1");
    await call("PATCH", `${r}/issues/{issue_number}`, "/repos/acme/app/issues/3", { state: "closed" });
    await call("POST", `${r}/issues/{issue_number}/assignees`, "/repos/acme/app/issues/2/assignees", {
      assignees: ["bot"],
    });
    await call("DELETE", `${r}/issues/{issue_number}/assignees`, "/repos/acme/app/issues/2/assignees", {
      assignees: ["bot"],
    });
    await call("POST", `${r}/issues/{issue_number}/labels`, "/repos/acme/app/issues/2/labels", {
      labels: ["in-progress"],
    });
    await call("GET", `${r}/issues/{issue_number}/labels`, "/repos/acme/app/issues/2/labels");
    await call(
      "DELETE",
      `${r}/issues/{issue_number}/labels/{name}`,
      "/repos/acme/app/issues/2/labels/in-progress",
    );
    await call("POST", `${r}/issues/{issue_number}/comments`, "/repos/acme/app/issues/1/comments", {
      body: "on it",
    });
    await call("GET", `${r}/issues/{issue_number}/comments`, "/repos/acme/app/issues/1/comments");
    await call("GET", `${r}/labels`, "/repos/acme/app/labels");
    await call("POST", `${r}/labels`, "/repos/acme/app/labels", { name: "blocked", color: "d73a4a" });
    const pull = await call("POST", `${r}/pulls`, "/repos/acme/app/pulls", {
      title: "Add it",
      head: "feature",
      base: "main",
      draft: true,
      body: "evidence",
    });
    await call("GET", `${r}/pulls`, "/repos/acme/app/pulls?head=acme:feature");
    await call("GET", `${r}/pulls/{pull_number}`, `/repos/acme/app/pulls/${pull["number"]}`);
    await call("PATCH", `${r}/pulls/{pull_number}`, `/repos/acme/app/pulls/${pull["number"]}`, {
      body: "more evidence",
    });
    await call(
      "POST",
      `${r}/pulls/{pull_number}/reviews`,
      `/repos/acme/app/pulls/${pull["number"]}/reviews`,
      { event: "REQUEST_CHANGES", body: "fix it" },
    );
    await call("GET", `${r}/pulls/{pull_number}/reviews`, `/repos/acme/app/pulls/${pull["number"]}/reviews`);
    const headSha = (pull["head"] as { sha: string }).sha;
    const comment = await call(
      "POST",
      `${r}/pulls/{pull_number}/comments`,
      `/repos/acme/app/pulls/${pull["number"]}/comments`,
      {
        body: "this line",
        commit_id: headSha,
        path: "README.md",
        line: 1,
      },
    );
    await call(
      "POST",
      `${r}/pulls/{pull_number}/comments`,
      `/repos/acme/app/pulls/${pull["number"]}/comments`,
      {
        body: "fixed",
        in_reply_to: comment["id"],
      },
    );
    await call(
      "POST",
      `${r}/pulls/{pull_number}/reviews`,
      `/repos/acme/app/pulls/${pull["number"]}/reviews`,
      {
        event: "COMMENT",
        body: "two notes",
        comments: [{ path: "README.md", line: 1, body: "and here" }],
      },
    );
    const comments = await call(
      "GET",
      `${r}/pulls/{pull_number}/comments`,
      `/repos/acme/app/pulls/${pull["number"]}/comments`,
    );
    assert.equal((comments as unknown as unknown[]).length, 3);
    await call("POST", `${r}/statuses/{sha}`, "/repos/acme/app/statuses/feature", {
      state: "failure",
      context: "ci/test",
    });
    await call("GET", `${r}/commits/{ref}/status`, "/repos/acme/app/commits/feature/status");
    await call("GET", `${r}/commits/{ref}/statuses`, "/repos/acme/app/commits/feature/statuses");
    await call("POST", `${r}/check-runs`, "/repos/acme/app/check-runs", {
      name: "test",
      head_sha: (pull["head"] as { sha: string }).sha,
      conclusion: "failure",
      output: { title: "1 failed", summary: "x" },
    });
    await call("GET", `${r}/commits/{ref}/check-runs`, "/repos/acme/app/commits/feature/check-runs");
    await call("POST", `${r}/hooks`, "/repos/acme/app/hooks", {
      config: { url: "http://127.0.0.1:9/hook", secret: "s" },
      events: ["issues"],
    });
  });

  it("answers an App's installation and token requests in the documented shape", async (t) => {
    const forge = await startFakeForge("github", tempDir(t));
    t.after(() => forge.close());
    const repo = forge.createRepo("acme/app");
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const installationId = forge.installApp(
      repo,
      { id: 77, slug: "gaffer", publicKey: publicKey.export({ type: "spki", format: "pem" }).toString() },
      { issues: "write", metadata: "read" },
    );
    const { token: jwt } = await createAppAuth({
      appId: 77,
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    })({ type: "app" });
    const call = async (method: string, template: string, path: string) => {
      const response = await fetch(`${forge.url}${path}`, {
        method,
        headers: { authorization: `bearer ${jwt}` },
      });
      const data = (await response.json()) as Record<string, unknown>;
      assert.ok(response.status < 300, `${path}: ${response.status} ${JSON.stringify(data)}`);
      assert.deepEqual(responseProblems(method, template, response.status, data), []);
      return data;
    };
    const installation = await call(
      "GET",
      "/repos/{owner}/{repo}/installation",
      "/repos/acme/app/installation",
    );
    assert.equal(installation["id"], installationId);
    const minted = await call(
      "POST",
      "/app/installations/{installation_id}/access_tokens",
      `/app/installations/${installationId}/access_tokens`,
    );
    assert.deepEqual(minted["permissions"], { issues: "write", metadata: "read" });
  });

  it("catches a response that drifts from the description", () => {
    assert.notDeepEqual(
      responseProblems("GET", "/repos/{owner}/{repo}/labels", 200, [{ id: "one", name: "x" }]),
      [],
    );
  });
});
