import { describe, expect, it } from "vitest";
import { parseLabelConfig } from "../../labelstudio/label-config.js";
import { scoreAgainstGold } from "./gold-scoring.js";

const parsed = parseLabelConfig(
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices><TextArea name="note" toName="image"/></View>',
);
if (!parsed.ok) throw new Error("fixture config is invalid");
const config = parsed.config;
const choice = (c: string) => ({
  from_name: "label",
  to_name: "image",
  type: "choices",
  value: { choices: [c] },
});
const note = (text: string) => ({
  from_name: "note",
  to_name: "image",
  type: "textarea",
  value: { text: [text] },
});

describe("scoreAgainstGold", () => {
  it.each([
    ["the expected answer", [choice("cat")], false, 1, { label: 1, note: null }],
    ["another answer", [choice("dog")], false, 0, { label: 0, note: null }],
    ["nothing", [], false, 0, { label: 0, note: null }],
    ["a skip, even a right one", [choice("cat")], true, 0, { label: 0, note: null }],
    [
      "an extra control the gold does not have",
      [choice("cat"), note("fluffy")],
      false,
      0.5,
      { label: 1, note: 0 },
    ],
  ])("scores %s", (_what, result, wasCancelled, score, dimensions) => {
    expect(scoreAgainstGold({ config, expected: [choice("cat")], result, wasCancelled })).toEqual({
      score,
      dimensionScores: dimensions,
    });
  });

  it("uses the workflow's dimension settings, and the defaults when the engine refuses them", () => {
    const result = [choice("cat"), note("fluffy")];
    const weighted = scoreAgainstGold({
      config,
      expected: [choice("cat")],
      result,
      wasCancelled: false,
      dimensions: { note: { weight: 0 } },
    });
    expect(weighted.score).toBe(1);
    const refused = scoreAgainstGold({
      config,
      expected: [choice("cat")],
      result,
      wasCancelled: false,
      dimensions: { note: { metric: "no-such-metric" } },
    });
    expect(refused.score).toBe(0.5);
  });
});
