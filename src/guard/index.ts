export { defaultPolicy, splitScript } from "./policy.ts";
