import { Directive, Field, ID, ObjectType } from "type-graphql";

@Directive('@key(fields: "id")')
@ObjectType({ description: "A user of the identity subgraph; this subgraph contributes the leads they own." })
export class User {
  @Field(() => ID, { description: "The user's id (the sub of their token)." }) id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: "A campaign of the campaigns subgraph, referenced by id only." })
export class Campaign {
  @Field(() => ID, { description: "The campaign's id." }) id!: string;
}
