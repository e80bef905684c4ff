import { Directive, Field, InputType, Int, ObjectType } from "type-graphql";

@Directive("@shareable")
@ObjectType({ description: "An amount of money in minor units (cents) of an ISO-4217 currency." })
export class Money {
  @Field(() => Int) amountMinor!: number;
  @Field(() => String) currency!: string;
}

@InputType()
export class MoneyInput {
  @Field(() => Int) amountMinor!: number;
  @Field(() => String) currency!: string;
}

@Directive("@shareable")
@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  // Paging backward (Relay connection spec).
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
}
