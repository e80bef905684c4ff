import { Field, Float, Int, ObjectType } from "type-graphql";
import { LeadStatusEnum } from "./enums";

@ObjectType({ description: "A sum of money that may exceed 32 bits: minor units as a decimal string." })
export class MoneyTotal {
  @Field(() => String, { description: "The sum in minor units, as a decimal string." }) amountMinor!: string;
  @Field(() => String, { description: "The ISO-4217 currency code." }) currency!: string;
}

@ObjectType({ description: "The leads in one status." })
export class PipelineStage {
  @Field(() => LeadStatusEnum, { description: "The status." }) status!: string;
  @Field(() => Int, { description: "How many leads are in it; 0 included." }) count!: number;
  @Field(() => [MoneyTotal], { description: "Sum of estimatedValue per currency, one entry per currency present." })
  estimatedValue!: MoneyTotal[];
}

@ObjectType({ description: "The tenant's leads counted per status." })
export class PipelineSummary {
  @Field(() => [PipelineStage], { description: "All five statuses, in pipeline order." }) stages!: PipelineStage[];
  @Field(() => Int, { description: "The number of leads counted." }) totalLeads!: number;
  @Field(() => Float, { description: "CONVERTED / (CONVERTED + LOST); 0 when both are 0." }) conversionRate!: number;
}
