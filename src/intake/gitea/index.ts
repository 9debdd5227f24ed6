export { giteaTracker } from "./tracker.ts";
