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
registerEnumType(DuplicatePolicyEnum, {
  name: "DuplicatePolicy",
  description: "What importLeads does with a row whose email the tenant (or an earlier row) already has.",
  valuesConfig: {
    SKIP: { description: "Report the row SKIPPED, with existingLeadId." },
    FAIL: { description: "Report the row FAILED with LEAD_ALREADY_EXISTS, field email, with existingLeadId." },
  },
});
registerEnumType(ImportRowStatusEnum, {
  name: "ImportRowStatus",
  description: "The outcome of one importLeads row.",
  valuesConfig: {
    IMPORTED: { description: "A lead was captured from the row." },
    SKIPPED: { description: "The email already exists (onDuplicate: SKIP); nothing was written." },
    FAILED: { description: "The row was refused; error says why." },
  },
});
registerEnumType(DuplicateReasonEnum, {
  name: "DuplicateReason",
  description: "Why duplicateCandidates thinks two leads may be the same.",
  valuesConfig: {
    SIMILAR_NAME: { description: "The names' trigram similarity is at least 0.5." },
    SIMILAR_COMPANY: { description: "Both have a company and their trigram similarity is at least 0.6." },
    SAME_PHONE: { description: "Both have the same phone number (E.164)." },
    SAME_EMAIL_DOMAIN: { description: "The email addresses share a domain that is not a free-mail one." },
  },
});

@InputType({ description: "The rows of an importLeads call." })
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

@ObjectType({ description: "Why an importLeads row FAILED." })
export class ImportRowError {
  @Field(() => String, { description: "An error code: BAD_USER_INPUT or LEAD_ALREADY_EXISTS." }) code!: string;
  @Field(() => String, { description: "What is wrong, for a person to read." }) message!: string;
  @Field(() => String, { nullable: true, description: "The path inside the row of the value at fault, e.g. email or estimatedValue.amountMinor." })
  field!: string | null;
}

@ObjectType({ description: "The outcome of one importLeads row." })
export class ImportRowResult {
  @Field(() => Int, { description: "The row's position in the input, from 0." }) index!: number;
  @Field(() => ImportRowStatusEnum, { description: "Whether the row was imported, skipped or failed." }) status!: ImportRowStatus;
  @Field(() => Lead, { nullable: true, description: "The new lead, for an IMPORTED row." }) lead!: LeadView | null;
  @Field(() => ID, { nullable: true, description: "The lead that already has this email, for a duplicate row." })
  existingLeadId!: string | null;
  @Field(() => ImportRowError, { nullable: true, description: "Why the row FAILED; null otherwise." }) error!: ImportRowError | null;
}

@ObjectType({ description: "What importLeads did; the three counts add up to the number of rows." })
export class ImportLeadsResult {
  @Field(() => Int, { description: "Rows captured as new leads." }) imported!: number;
  @Field(() => Int, { description: "Rows skipped as duplicates (onDuplicate: SKIP)." }) skipped!: number;
  @Field(() => Int, { description: "Rows refused." }) failed!: number;
  @Field(() => [ImportRowResult], { description: "One entry per input row, in input order." }) rows!: ImportRowResult[];
}

@ObjectType({ description: "Another lead of the tenant that may be the same person or company." })
export class DuplicateCandidate {
  @Field(() => Lead, { description: "The possible duplicate." }) lead!: LeadView;
  @Field(() => Float, { description: "0..1, see RULES.md." }) similarity!: number;
  @Field(() => [DuplicateReasonEnum], { description: "Every reason that holds, in the enum's order." }) reasons!: DuplicateReason[];
}
