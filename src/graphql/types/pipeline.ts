import { Field, Float, Int, ObjectType } from "type-graphql";
import { LeadStatusEnum } from "./enums";

@ObjectType({ description: "A sum of money that may exceed 32 bits: minor units as a decimal string." })
export class MoneyTotal {
  @Field(() => String) amountMinor!: string;
  @Field(() => String) currency!: string;
}

@ObjectType()
export class PipelineStage {
  @Field(() => LeadStatusEnum) status!: string;
  @Field(() => Int) count!: number;
  @Field(() => [MoneyTotal], { description: "Sum of estimatedValue per currency, one entry per currency present." })
  estimatedValue!: MoneyTotal[];
}

@ObjectType()
export class PipelineSummary {
  @Field(() => [PipelineStage]) stages!: PipelineStage[];
  @Field(() => Int) totalLeads!: number;
  @Field(() => Float, { description: "CONVERTED / (CONVERTED + LOST); 0 when both are 0." }) conversionRate!: number;
}
