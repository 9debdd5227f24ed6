import { z } from "zod";
import { pathGlobListProblems } from "../util/glob-problems.ts";

/**
 * A list of path globs (see util/glob.ts), checked when the file is read: an entry that cannot
 * compile, never matches or means something unexpected is an error on its own line, with the fix
 * as the hint (describeIssues reads it from the issue's params).
 */
export function pathGlobList(description: string) {
  return z
    .array(z.string().min(1))
    .superRefine((patterns, ctx) => {
      for (const { index, message, hint } of pathGlobListProblems(patterns)) {
        ctx.addIssue({ code: "custom", path: [index], message, params: { hint } });
      }
    })
    .describe(description);
}
