import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import type { ActivityView, LeadView } from "../../application/lead-view";
import type { Page } from "../../application/queries/page";
import { ActivityTypeEnum, LeadSourceEnum, LeadStatusEnum } from "./enums";
import { Money, PageInfo } from "./shared-types";

@ObjectType({ description: "What company enrichment learned about the lead's company, if anything." })
export class CompanyProfile {
  @Field(() => String) domain!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Int, { nullable: true }) employeeCount!: number | null;
  @Field(() => String, { nullable: true }) industry!: string | null;
}

/** Field declarations only: resolvers return the LeadView read model. */
@Directive('@key(fields: "id")')
@ObjectType({ description: "A sales lead: the aggregate root of the lead pipeline." })
export class Lead {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) email!: string;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => String, { nullable: true }) company!: string | null;
  @Field(() => LeadSourceEnum) source!: string;
  @Field(() => LeadStatusEnum) status!: string;
  @Field(() => Int, { description: "0..100, recomputed by the scoring rules on every change." }) score!: number;
  @Field(() => Money, { nullable: true }) estimatedValue!: Money | null;
  @Field(() => [String]) tags!: string[];
  @Field(() => String, { nullable: true }) lostReason!: string | null;
  @Field(() => CompanyProfile, { nullable: true }) enrichment!: CompanyProfile | null;
  @Field(() => Int, { description: "Optimistic-concurrency version: 1 after capture, +1 on every change." }) version!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
  @Field(() => Date, { nullable: true }) convertedAt!: Date | null;
}

@ObjectType()
export class Activity {
  @Field(() => ID) id!: string;
  @Field(() => ActivityTypeEnum) type!: string;
  @Field(() => String) summary!: string;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => Date, { nullable: true, description: "When the activity was last corrected; null if never." }) editedAt!: Date | null;
}

@ObjectType()
export class LeadEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Lead) node!: LeadView;
}

/** `countTotal` runs only if the client selects totalCount. */
@ObjectType()
export class LeadConnection {
  @Field(() => [LeadEdge]) edges!: LeadEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  countTotal!: () => Promise<number>;
}

@ObjectType()
export class ActivityEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Activity) node!: ActivityView;
}

@ObjectType()
export class ActivityConnection {
  @Field(() => [ActivityEdge]) edges!: ActivityEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
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
