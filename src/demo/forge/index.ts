/**
 * A faithful fake forge for tests: GitHub's REST API or Gitea/Forgejo's API v1 (the subset gaffer
 * uses) on 127.0.0.1, backed by real bare repositories served through `git http-backend`.
 *
 *   const forge = await startFakeForge("github", tempDir(t));
 *   t.after(() => forge.close());
 *   const repo = forge.createRepo("acme/app");
 *   const token = forge.addToken("acme", { kind: "classic", scopes: ["repo"] });
 *   forge.createIssue(repo, { title: "Add a flag", labels: ["backlog"] });
 *
 * Its GitHub responses are checked against GitHub's OpenAPI description in test/fake-forge/.
 */
export { type FakeForge, type LoggedRequest, startFakeForge, type Throttle } from "./server.ts";
export type { Issue, Repo, Role, TokenGrant, User } from "./model.ts";
export { type Delivery, type ForgeKind, signature } from "./webhooks.ts";
