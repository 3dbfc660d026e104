import { describe, expect, it } from "vitest";
import { displayDomain, initials, pluralize, relativeTime } from "./format";

describe("displayDomain", () => {
  it("shows the bare host of a normalised URL", () => {
    expect(displayDomain("https://www.acme.example/about")).toBe("acme.example");
    expect(displayDomain("https://shop.acme.example/")).toBe("shop.acme.example");
  });
  it("passes through what it cannot parse and nothing for nothing", () => {
    expect(displayDomain("not a url")).toBe("not a url");
    expect(displayDomain(null)).toBeNull();
  });
});

describe("initials", () => {
  it("takes the first and last word", () => {
    expect(initials("Ada King Lovelace")).toBe("AL");
    expect(initials("  cher ")).toBe("C");
    expect(initials("")).toBe("?");
  });
  it("does not split characters outside the basic plane", () => {
    expect(initials("𝔄da 𝔏ovelace")).toBe("𝔄𝔏");
  });
});

describe("relativeTime", () => {
  const now = Date.UTC(2026, 10, 24, 12);
  it("reads naturally", () => {
    expect(relativeTime(now - 10_000, now)).toBe("just now");
    expect(relativeTime(now - 5 * 60_000, now)).toBe("5 minutes ago");
    expect(relativeTime(now - 86_400_000, now)).toBe("yesterday");
    expect(relativeTime(now - 21 * 86_400_000, now)).toBe("3 weeks ago");
  });
});

describe("pluralize", () => {
  it("agrees with the count", () => {
    expect(pluralize(1, "lead", "leads")).toBe("1 lead");
    expect(pluralize(0, "lead", "leads")).toBe("0 leads");
  });
});
