import { describe, expect, it } from "vitest";
import { firstFreeSubdomain, subdomainBase } from "./subdomain.js";

describe("subdomainBase", () => {
  it.each([
    ["Alice", "a@x.io", "alice"],
    ["Zoë Ünal", "z@x.io", "zoe-unal"],
    ["  --Dr. Who?? ", "w@x.io", "dr-who"],
    ["李雷", "li.lei@x.io", "li-lei"],
    ["!!!", "!!!@x.io", "annotator"],
    ["API", "a@x.io", "api-annotator"],
    ["x".repeat(80), "a@x.io", "x".repeat(40)],
    [`${"a".repeat(39)} b`, "a@x.io", "a".repeat(39)],
  ])("%s → %s", (name, email, expected) => {
    const base = subdomainBase(name, email);
    expect(base).toBe(expected);
    expect(base).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
  });
});

describe("firstFreeSubdomain", () => {
  it.each([
    [[], "alice"],
    [["alice"], "alice-2"],
    [["alice", "alice-2", "alice-3"], "alice-4"],
    [["alice-2"], "alice"],
  ])("taken %j → %s", (taken, expected) => {
    expect(firstFreeSubdomain("alice", new Set(taken))).toBe(expected);
  });
});
