export { type ImportResult, importMarkdownIssues } from "./builtin/import.ts";
export { type MarkdownIssue, parseMarkdownIssue, readMarkdownIssues } from "./builtin/markdown.ts";
