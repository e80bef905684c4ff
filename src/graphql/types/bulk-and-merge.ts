import { Field, ID, InputType, Int, ObjectType, registerEnumType, Float } from "type-graphql";
import type { LeadView } from "../../application/lead-view";
import { DUPLICATE_REASONS, type DuplicateReason } from "../../domain/lead/duplicate-rules";
import type { DuplicatePolicy, ImportRowStatus } from "../../domain/lead/lead-import";
import { CaptureLeadInput } from "./inputs";
import { Lead } from "./lead";

// importLeads, duplicateCandidates (mergeLeads returns a Lead).

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const DuplicatePolicyEnum = enumOf<DuplicatePolicy>(["SKIP", "FAIL"]);
export const ImportRowStatusEnum = enumOf<ImportRowStatus>(["IMPORTED", "SKIPPED", "FAILED"]);
export const DuplicateReasonEnum = enumOf<DuplicateReason>(DUPLICATE_REASONS);
registerEnumType(DuplicatePolicyEnum, { name: "DuplicatePolicy" });
registerEnumType(ImportRowStatusEnum, { name: "ImportRowStatus" });
registerEnumType(DuplicateReasonEnum, { name: "DuplicateReason" });

@InputType()
export class ImportLeadsInput {
  @Field(() => [CaptureLeadInput], { description: "At most 1,000 rows; each is validated like captureLead's input." })
  leads!: CaptureLeadInput[];

  @Field(() => DuplicatePolicyEnum, {
    nullable: true,
    defaultValue: "SKIP",
    description: "A row whose email already exists in the tenant (or earlier in this import): SKIP reports it SKIPPED, FAIL reports it FAILED.",
  })
  onDuplicate?: DuplicatePolicy | null;
}

@ObjectType()
export class ImportRowError {
  @Field(() => String) code!: string;
  @Field(() => String) message!: string;
  @Field(() => String, { nullable: true }) field!: string | null;
}

@ObjectType()
export class ImportRowResult {
  @Field(() => Int, { description: "The row's position in the input, from 0." }) index!: number;
  @Field(() => ImportRowStatusEnum) status!: ImportRowStatus;
  @Field(() => Lead, { nullable: true, description: "The new lead, for an IMPORTED row." }) lead!: LeadView | null;
  @Field(() => ID, { nullable: true, description: "The lead that already has this email, for a duplicate row." })
  existingLeadId!: string | null;
  @Field(() => ImportRowError, { nullable: true }) error!: ImportRowError | null;
}

@ObjectType()
export class ImportLeadsResult {
  @Field(() => Int) imported!: number;
  @Field(() => Int) skipped!: number;
  @Field(() => Int) failed!: number;
  @Field(() => [ImportRowResult], { description: "One entry per input row, in input order." }) rows!: ImportRowResult[];
}

@ObjectType()
export class DuplicateCandidate {
  @Field(() => Lead) lead!: LeadView;
  @Field(() => Float, { description: "0..1, see RULES.md." }) similarity!: number;
  @Field(() => [DuplicateReasonEnum]) reasons!: DuplicateReason[];
}
