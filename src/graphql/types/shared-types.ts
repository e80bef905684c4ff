import { Directive, Field, InputType, Int, ObjectType } from "type-graphql";

@Directive("@shareable")
@ObjectType({ description: "An amount of money in minor units (cents) of an ISO-4217 currency." })
export class Money {
  @Field(() => Int, { description: "The amount in minor units, e.g. cents." }) amountMinor!: number;
  @Field(() => String, { description: "An ISO-4217 currency code in upper case, e.g. EUR." }) currency!: string;
}

@InputType({ description: "An amount of money in minor units (cents) of an ISO-4217 currency." })
export class MoneyInput {
  @Field(() => Int, { description: "0 to 2^31-1 minor units, e.g. cents." }) amountMinor!: number;
  @Field(() => String, { description: "An ISO-4217 currency code, any case." }) currency!: string;
}

@Directive("@shareable")
@ObjectType({ description: "Where a page lies in its list (Relay connection spec)." })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether an item follows the page's last one." }) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: "The last edge's cursor, for after; null on an empty page." }) endCursor!: string | null;
  // Paging backward (Relay connection spec).
  @Field(() => Boolean, { description: "Whether an item precedes the page's first one." }) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: "The first edge's cursor, for before; null on an empty page." })
  startCursor!: string | null;
}
