import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import type { ActivityView, LeadView } from "../../application/lead-view";
import type { Page } from "../../application/queries/page";
import { ActivityTypeEnum, LeadSourceEnum, LeadStatusEnum } from "./enums";
import { Money, PageInfo } from "./shared-types";

@ObjectType({ description: "What company enrichment learned about the lead's company, if anything." })
export class CompanyProfile {
  @Field(() => String, { description: "The domain looked up: the one of the lead's email." }) domain!: string;
  @Field(() => String, { nullable: true, description: "The company's name, if the directory knows it." }) name!: string | null;
  @Field(() => Int, { nullable: true, description: "How many people it employs; 200 or more adds 10 to the score." }) employeeCount!: number | null;
  @Field(() => String, { nullable: true, description: "Its industry, if the directory knows it." }) industry!: string | null;
}

/** Field declarations only: resolvers return the LeadView read model. */
@Directive('@key(fields: "id")')
@ObjectType({ description: "A sales lead: the aggregate root of the lead pipeline." })
export class Lead {
  @Field(() => ID, { description: "The lead's id (a UUID)." }) id!: string;
  @Field(() => String, { description: "The person's name." }) name!: string;
  @Field(() => String, { description: "The email address, in lower case; unique within the tenant." }) email!: string;
  @Field(() => String, { nullable: true, description: "The phone number in E.164 (+ and digits)." }) phone!: string | null;
  @Field(() => String, { nullable: true, description: "The company, if known (enrichment fills it when empty)." }) company!: string | null;
  @Field(() => LeadSourceEnum, { description: "Where the lead came from." }) source!: string;
  @Field(() => LeadStatusEnum, { description: "Where the lead stands in the pipeline." }) status!: string;
  @Field(() => Int, { description: "0..100, recomputed by the scoring rules on every change." }) score!: number;
  @Field(() => Money, { nullable: true, description: "What the deal may be worth; set when qualifying." }) estimatedValue!: Money | null;
  @Field(() => [String], { description: "Its tags, trimmed and in lower case, at most 20." }) tags!: string[];
  @Field(() => String, { nullable: true, description: "Why the lead was lost; null unless LOST." }) lostReason!: string | null;
  @Field(() => CompanyProfile, { nullable: true, description: "What company enrichment found; null until it has found something." })
  enrichment!: CompanyProfile | null;
  @Field(() => Int, { description: "Optimistic-concurrency version: 1 after capture, +1 on every change." }) version!: number;
  @Field(() => Date, { description: "When the lead was captured." }) createdAt!: Date;
  @Field(() => Date, { description: "When the lead last changed." }) updatedAt!: Date;
  @Field(() => Date, { nullable: true, description: "When the lead was converted; null unless CONVERTED." }) convertedAt!: Date | null;
}

@ObjectType({ description: "A contact with the lead, logged by a sales rep (or the service)." })
export class Activity {
  @Field(() => ID, { description: "The activity's id (a UUID)." }) id!: string;
  @Field(() => ActivityTypeEnum, { description: "What kind of contact it was." }) type!: string;
  @Field(() => String, { description: "What happened." }) summary!: string;
  @Field(() => Date, { description: "When it happened." }) occurredAt!: Date;
  @Field(() => Date, { nullable: true, description: "When the activity was last corrected; null if never." }) editedAt!: Date | null;
}

@ObjectType({ description: "A lead in a page of leads." })
export class LeadEdge {
  @Field(() => String, { description: "Opaque; pass it as after or before to page from here (same ordering only)." }) cursor!: string;
  @Field(() => Lead, { description: "The lead." }) node!: LeadView;
}

/** `countTotal` runs only if the client selects totalCount. */
@ObjectType({ description: "A page of leads." })
export class LeadConnection {
  @Field(() => [LeadEdge], { description: "The page's leads, in the requested order." }) edges!: LeadEdge[];
  @Field(() => PageInfo, { description: "Where the page lies in the list." }) pageInfo!: PageInfo;
  countTotal!: () => Promise<number>;
}

@ObjectType({ description: "An activity in a page of a lead's activities." })
export class ActivityEdge {
  @Field(() => String, { description: "Opaque; pass it as after or before to page from here." }) cursor!: string;
  @Field(() => Activity, { description: "The activity." }) node!: ActivityView;
}

@ObjectType({ description: "A page of a lead's activities, newest first." })
export class ActivityConnection {
  @Field(() => [ActivityEdge], { description: "The page's activities." }) edges!: ActivityEdge[];
  @Field(() => PageInfo, { description: "Where the page lies in the list." }) pageInfo!: PageInfo;
  @Field(() => Int, { description: "How many activities the lead has in all." }) totalCount!: number;
}

/** An edge of a page; its cursor is encoded only if the client selects it. */
class PageEdge<T> {
  constructor(
    readonly node: T,
    private readonly page: Page<T>,
  ) {}

  get cursor(): string {
    return this.page.cursorOf(this.node);
  }
}

/** The page's pageInfo; its cursors likewise encoded on demand (null on an empty page). */
class PageInfoOf<T> {
  constructor(private readonly page: Page<T>) {}

  get hasNextPage(): boolean {
    return this.page.hasNextPage;
  }

  get hasPreviousPage(): boolean {
    return this.page.hasPreviousPage;
  }

  get startCursor(): string | null {
    return this.cursorAt(0);
  }

  get endCursor(): string | null {
    return this.cursorAt(-1);
  }

  private cursorAt(index: number): string | null {
    const node = this.page.nodes.at(index);
    return node === undefined ? null : this.page.cursorOf(node);
  }
}

/** A page as a connection's edges and pageInfo. */
export function edgesOf<T>(page: Page<T>): { edges: { readonly cursor: string; node: T }[]; pageInfo: PageInfo } {
  return { edges: page.nodes.map((node) => new PageEdge(node, page)), pageInfo: new PageInfoOf(page) };
}
