import type { Project } from "../engine/index.ts";

/** What the server's handlers share: the project it serves, open for the server's life. */
export interface WebContext {
  project: Project;
}

/** The acting token's name, set by the token check on every action route. */
export interface WebVariables {
  tokenName: string;
}
