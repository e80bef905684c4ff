import { ValidationError } from "../shared/domain-error";

const TAG = /^[a-z0-9][a-z0-9 _-]{0,31}$/;
export const MAX_TAGS_PER_LEAD = 20;

export class Tag {
  private constructor(readonly value: string) {}

  /** Trimmed and lowercased; a letter or digit first, then up to 31 of letters, digits, space, _ and -. */
  static create(raw: string, field = "tags"): Tag {
    const value = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    if (!TAG.test(value)) {
      throw new ValidationError(field, `${field}: "${String(raw).slice(0, 40)}" is not a valid tag (a-z, 0-9, space, _ or -, up to 32)`);
    }
    return new Tag(value);
  }

  equals(other: Tag): boolean {
    return this.value === other.value;
  }
}

/** A lead's tags: deduplicated, in the order first given, at most 20. */
export class TagSet {
  private constructor(readonly values: readonly string[]) {}

  static create(raws: readonly string[], field = "tags"): TagSet {
    return TagSet.of(raws.map((raw) => Tag.create(raw, field).value), field);
  }

  static restore(values: readonly string[]): TagSet {
    return new TagSet([...values]);
  }

  private static of(values: string[], field: string): TagSet {
    const unique = [...new Set(values)];
    if (unique.length > MAX_TAGS_PER_LEAD) throw new ValidationError(field, `a lead has at most ${MAX_TAGS_PER_LEAD} tags`);
    return new TagSet(unique);
  }

  add(tags: readonly Tag[]): { set: TagSet; added: string[] } {
    const added = [...new Set(tags.map((tag) => tag.value))].filter((tag) => !this.values.includes(tag));
    return { set: TagSet.of([...this.values, ...added], "tags"), added };
  }

  remove(tags: readonly Tag[]): { set: TagSet; removed: string[] } {
    const removing = new Set(tags.map((tag) => tag.value));
    const removed = this.values.filter((tag) => removing.has(tag));
    return { set: new TagSet(this.values.filter((tag) => !removing.has(tag))), removed };
  }
}
