export { githubTracker } from "./tracker.ts";
