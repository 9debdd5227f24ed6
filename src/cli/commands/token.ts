import { openProject, openProjectReadOnly } from "../../engine/index.ts";
import { createToken, listTokens, revokeToken } from "../../store/index.ts";
import { formatTable, print, printJson } from "../output.ts";

export async function tokenCreate(cwd: string, options: { name: string; json?: boolean }): Promise<number> {
  const project = await openProject(cwd);
  try {
    const { token, secret } = await createToken(project.store.db, options.name);
    if (options.json) printJson({ name: token.name, token: secret });
    else {
      print(`token "${token.name}" created; it is shown only this once:`);
      print(secret);
      print(
        "  use it: curl -H 'Authorization: Bearer <token>' …   revoke: gaffer token revoke " + token.name,
      );
    }
    return 0;
  } finally {
    await project.close();
  }
}

export async function tokenList(cwd: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const tokens = project.store ? await listTokens(project.store.db) : [];
    if (options.json) printJson(tokens);
    else if (tokens.length === 0) print("no tokens yet: gaffer token create --name <who>");
    else
      print(
        formatTable(
          ["NAME", "CREATED", "STATE"],
          tokens.map((t) => [
            t.name,
            new Date(t.createdAt).toISOString(),
            t.revokedAt === null ? "live" : `revoked ${new Date(t.revokedAt).toISOString()}`,
          ]),
        ),
      );
    return 0;
  } finally {
    await project.close();
  }
}

export async function tokenRevoke(cwd: string, name: string): Promise<number> {
  const project = await openProject(cwd);
  try {
    await revokeToken(project.store.db, name);
    print(`token "${name}" revoked`);
    return 0;
  } finally {
    await project.close();
  }
}
