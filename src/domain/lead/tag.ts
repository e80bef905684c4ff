import { ValidationError } from "../shared/domain-error";
import { quoted } from "../shared/text";

const TAG = /^[a-z0-9][a-z0-9 _-]{0,31}$/;
export const MAX_TAGS_PER_LEAD = 20;

/** A label on a lead: trimmed and lowercased so "VIP" and " vip" are one tag. */
export class Tag {
  private constructor(readonly value: string) {}

  static create(raw: string, field = "tags"): Tag {
    const value = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    if (!TAG.test(value)) {
      throw new ValidationError(
        field,
        `${field}: ${quoted(raw)} is not a valid tag (1 to 32 letters, digits, spaces, _ or -, starting with a letter or digit)`,
      );
    }
    return new Tag(value);
  }

  equals(other: Tag): boolean {
    return this.value === other.value;
  }
}

/** A lead's tags: deduplicated, in the order first given, at most 20. Immutable: changes return a new set. */
export class TagSet {
  readonly values: readonly string[];

  private constructor(values: string[]) {
    this.values = Object.freeze(values);
  }

  static create(raws: readonly string[], field = "tags"): TagSet {
    return TagSet.of(
      raws.map((raw) => Tag.create(raw, field).value),
      field,
    );
  }

  /** Tags already stored: valid when they were written, so not checked again. */
  static restore(values: readonly string[]): TagSet {
    return new TagSet([...values]);
  }

  private static of(values: string[], field: string): TagSet {
    const unique = [...new Set(values)];
    if (unique.length > MAX_TAGS_PER_LEAD) {
      throw new ValidationError(field, `${field}: a lead can have at most ${MAX_TAGS_PER_LEAD} tags (this would make ${unique.length})`);
    }
    return new TagSet(unique);
  }

  /** `added` lists only the tags that were not there yet: an empty list means nothing changed. */
  add(tags: readonly Tag[]): { set: TagSet; added: string[] } {
    const added = [...new Set(tags.map((tag) => tag.value))].filter((tag) => !this.values.includes(tag));
    return { set: TagSet.of([...this.values, ...added], "tags"), added };
  }

  /** `removed` lists only the tags that were there: an empty list means nothing changed. */
  remove(tags: readonly Tag[]): { set: TagSet; removed: string[] } {
    const removing = new Set(tags.map((tag) => tag.value));
    const removed = this.values.filter((tag) => removing.has(tag));
    return { set: new TagSet(this.values.filter((tag) => !removing.has(tag))), removed };
  }
}
