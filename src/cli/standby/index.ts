export { runInStandby } from "./client.ts";
export { readyStandby } from "./start.ts";
