export { type BriefInput, loadBriefTemplate, renderBrief } from "./brief.ts";
export {
  CONVENTION_FILES,
  type Conventions,
  type ConventionsSource,
  findConventions,
} from "./conventions.ts";
export { TEMPLATE_SLOTS, type TemplateSlot } from "./templates.ts";
