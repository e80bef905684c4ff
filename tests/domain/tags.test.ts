import { describe, expect, it } from "vitest";
import { MAX_TAGS_PER_LEAD, Tag, TagSet } from "../../src/domain/lead/tag";
import { refused } from "./refused";

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `t${i}`);

describe("a tag", () => {
  it("is trimmed and lowercased", () => {
    expect(Tag.create("  VIP Client ").value).toBe("vip client");
  });

  it("holds 1 to 32 characters", () => {
    expect(Tag.create("a").value).toBe("a");
    expect(Tag.create("a".repeat(32)).value).toHaveLength(32);
    refused(() => Tag.create("a".repeat(33)), "tags");
    expect(Tag.create(`  ${"a".repeat(32)}  `).value).toHaveLength(32);
  });

  it("starts with a letter or digit, then letters, digits, spaces, _ and -", () => {
    expect(Tag.create("q4_big-deal 2").value).toBe("q4_big-deal 2");
    expect(Tag.create("2026").value).toBe("2026");
    for (const bad of ["", " ", "-vip", "_vip", "vip!", "vip.com", "vip/b2b", "café", "😀", "a\tb"]) refused(() => Tag.create(bad), "tags");
  });

  it("says which tag it refused", () => {
    expect(refused(() => Tag.create("vip!"), "tags")).toMatch(/^tags: "vip!" is not a valid tag/);
  });
});

describe("a lead's tags", () => {
  it("are deduplicated in first-seen order, whatever the case", () => {
    expect(TagSet.create(["b", "A", "a", "B ", "c"]).values).toEqual(["b", "a", "c"]);
  });

  it("are at most 20", () => {
    expect(MAX_TAGS_PER_LEAD).toBe(20);
    expect(TagSet.create(numbered(20)).values).toHaveLength(20);
    refused(() => TagSet.create(numbered(21)), "tags");
  });

  it("count duplicates once toward the limit", () => {
    expect(TagSet.create([...numbered(20), "T0", " t1 "]).values).toHaveLength(20);
  });

  it("report the first invalid tag under the field given", () => {
    refused(() => TagSet.create(["ok", "not ok!"], "input.tags"), "input.tags");
  });

  it("adding lists only the new tags, deduplicated", () => {
    const { set, added } = TagSet.create(["a", "b"]).add([Tag.create("b"), Tag.create("c"), Tag.create("C")]);
    expect(added).toEqual(["c"]);
    expect(set.values).toEqual(["a", "b", "c"]);
  });

  it("adding may fill up to 20 but not past it", () => {
    const { set } = TagSet.create(numbered(19)).add([Tag.create("t0"), Tag.create("new")]);
    expect(set.values).toHaveLength(20);
    expect(set.add([Tag.create("t5")]).added).toEqual([]);
    refused(() => set.add([Tag.create("one-too-many")]), "tags");
  });

  it("removing lists only the tags that were there", () => {
    const { set, removed } = TagSet.create(["a", "b", "c"]).remove([Tag.create("a"), Tag.create("zzz"), Tag.create("c")]);
    expect(removed).toEqual(["a", "c"]);
    expect(set.values).toEqual(["b"]);
  });

  it("never change in place", () => {
    const original = TagSet.create(["a"]);
    original.add([Tag.create("b")]);
    original.remove([Tag.create("a")]);
    expect(original.values).toEqual(["a"]);
    expect(Object.isFrozen(original.values)).toBe(true);
  });
});
