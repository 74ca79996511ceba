import { describe, expect, it } from "vitest";
import { isAppError } from "../../lib/app-error.js";
import { isSelected, parseSelection } from "./selection.js";

const json = (value: unknown) => ({ selection: [JSON.stringify(value)] });
const failure = (queries: Record<string, string[]>) => {
  try {
    parseSelection(queries);
  } catch (error) {
    if (isAppError(error)) return error;
  }
  throw new Error("expected a BAD_REQUEST");
};

describe("parseSelection", () => {
  it("applies LS's defaults: every annotator, no model, no ground truth", () => {
    expect(parseSelection(json({}))).toEqual({
      annotators: { all: true, ids: [] },
      models: { all: false, ids: [] },
      groundTruth: false,
    });
  });

  it("reads the reference's examples", () => {
    expect(
      parseSelection(
        json({
          annotators: { all: true, ids: ["12"] },
          models: { all: false, ids: ["v3"] },
          ground_truth: false,
        }),
      ),
    ).toEqual({
      annotators: { all: true, ids: [12] },
      models: { all: false, ids: ["v3"] },
      groundTruth: false,
    });
    expect(
      parseSelection(json({ annotators: { all: false, ids: ["4", "9"] }, models: { all: false, ids: [] } }))
        .annotators,
    ).toEqual({
      all: false,
      ids: [4, 9],
    });
    expect(parseSelection(json({ annotators: { all: true, ids: [] }, ground_truth: true })).groundTruth).toBe(
      true,
    );
  });

  it("accepts numeric ids and the model: / annotator: prefixes", () => {
    const s = parseSelection(
      json({ annotators: { all: false, ids: [4, "annotator:9"] }, models: { ids: ["model:v1", "v2"] } }),
    );
    expect(s.annotators.ids).toEqual([4, 9]);
    expect(s.models.ids).toEqual(["v1", "v2"]);
  });

  it("reads Fern-style bracket keys, with repeated or indexed list entries", () => {
    expect(
      parseSelection({
        "selection[annotators][all]": ["False"],
        "selection[annotators][ids]": ["4", "9"],
        "selection[models][all]": ["true"],
        "selection[models][ids][0]": ["v2"],
        "selection[ground_truth]": ["1"],
        other: ["ignored"],
      }),
    ).toEqual({
      annotators: { all: false, ids: [4, 9] },
      models: { all: true, ids: ["v2"] },
      groundTruth: true,
    });
  });

  it.each([
    ["missing", {}],
    ["malformed JSON", { selection: ["{"] }],
    ["an array", { selection: ["[]"] }],
    ["an unknown group", json({ reviewers: {} })],
    ["an unknown field", json({ annotators: { every: true } })],
    ["a string boolean in JSON", json({ annotators: { all: "true" } })],
    ["an empty id", json({ models: { ids: [""] } })],
    ["a non-numeric annotator id", json({ annotators: { ids: ["bob"] } })],
    ["a bad bracket boolean", { "selection[annotators][all]": ["yes"] }],
    ["an unknown bracket key", { "selection[annotators][x]": ["1"] }],
    ["a deep bracket key", { "selection[annotators][ids][0][x]": ["1"] }],
  ])("refuses %s with BAD_REQUEST and details", (_, queries) => {
    const error = failure(queries as Record<string, string[]>);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details?.length).toBeGreaterThan(0);
  });
});

describe("isSelected", () => {
  const s = parseSelection(
    json({ annotators: { all: true, ids: ["2"] }, models: { all: false, ids: ["v1"] } }),
  );
  it("treats ids as exclusions when all is true and inclusions when it is false", () => {
    expect(isSelected(s, "annotator:1")).toBe(true);
    expect(isSelected(s, "annotator:2")).toBe(false);
    expect(isSelected(s, "model:v1")).toBe(true);
    expect(isSelected(s, "model:v2")).toBe(false);
    expect(isSelected(s, "ground_truth")).toBe(false);
  });
});
