import { describe, expect, it } from "vitest";
import { reviewDecisionOf } from "./review-decision.js";

const decision = (choice: string) => ({
  from_name: "review_decision",
  to_name: "image",
  type: "choices",
  value: { choices: [choice] },
});
const text = (name: string, lines: string[] | string) => ({
  from_name: name,
  to_name: "image",
  type: "textarea",
  value: { text: lines },
});

describe("reviewDecisionOf", () => {
  it.each([
    ["accept", "accept"],
    ["Accepted", "accept"],
    ["REJECT", "reject"],
    ["rejected", "reject"],
  ])("reads the choice %s as %s", (choice, expected) => {
    expect(reviewDecisionOf([decision(choice)])).toEqual({ decision: expected, reason: null });
  });

  it("takes the reason from review_reason before any other TextArea", () => {
    const result = [text("notes", "other"), decision("reject"), text("review_reason", ["box too", "loose"])];
    expect(reviewDecisionOf(result)).toEqual({ decision: "reject", reason: "box too\nloose" });
    expect(reviewDecisionOf([decision("reject"), text("notes", "  only one ")])?.reason).toBe("only one");
  });

  it("finds no decision without the control, with an unknown choice, or in junk", () => {
    expect(reviewDecisionOf([])).toBeNull();
    expect(
      reviewDecisionOf([{ from_name: "label", type: "choices", value: { choices: ["accept"] } }]),
    ).toBeNull();
    expect(reviewDecisionOf([decision("maybe")])).toBeNull();
    expect(reviewDecisionOf([null, 3, "x", { from_name: "review_decision" }])).toBeNull();
  });
});
