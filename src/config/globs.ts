import { z } from "zod";
import { pathGlobListProblems } from "../util/index.ts";

/**
 * A list of path globs (see util/glob.ts), checked when the file is read: an entry that cannot
 * compile, never matches or means something unexpected is an error on its own line, with the fix
 * as the hint (describeIssues reads it from the issue's params). A list that is not `standalone`
 * (globs added to a built-in rule) may hold exclusions only.
 */
export function pathGlobList(description: string, options: { standalone?: boolean } = {}) {
  return z
    .array(z.string().min(1))
    .superRefine((patterns, ctx) => {
      for (const { index, message, hint } of pathGlobListProblems(patterns, options)) {
        ctx.addIssue({ code: "custom", path: [index], message, params: { hint } });
      }
    })
    .describe(description);
}
