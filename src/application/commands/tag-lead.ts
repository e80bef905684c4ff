import { Tag } from "../../domain/lead/tag";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

export async function tagLead(deps: CommandDeps, actor: Actor, input: { id: string; tags: string[] }): Promise<LeadView> {
  const leadId = parseUuid(input.id, "id");
  const tags = input.tags.map((raw) => Tag.create(raw));
  const { lead } = await changeLead(deps, actor, { leadId }, (lead, change) => lead.tag(tags, change));
  return lead;
}

export async function untagLead(deps: CommandDeps, actor: Actor, input: { id: string; tags: string[] }): Promise<LeadView> {
  const leadId = parseUuid(input.id, "id");
  const tags = input.tags.map((raw) => Tag.create(raw));
  const { lead } = await changeLead(deps, actor, { leadId }, (lead, change) => lead.untag(tags, change));
  return lead;
}
