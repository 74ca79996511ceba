import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLabelConfig } from "../../labelstudio/label-config.js";
import { evaluateAgreement } from "./evaluate.js";
import { bindDimensions, computeTaskMatrices, type DimensionSpec } from "./task-matrix.js";

const XML =
  '<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image"><Label value="Dog"/><Label value="Car"/></RectangleLabels><Choices name="quality" toName="image"><Choice value="Good"/><Choice value="Blurry"/></Choices><Rating name="confidence" toName="image"/><TextArea name="caption" toName="image"/></View>';
const parsed = parseLabelConfig(XML);
if (!parsed.ok) throw new Error("config");
const config = parsed.config;

const spec = (
  id: number,
  controlName: string,
  metric: string,
  extra: Partial<DimensionSpec> = {},
): DimensionSpec => ({
  id,
  controlName,
  metric,
  params: {},
  weight: 1,
  labelWeights: null,
  isActive: true,
  ...extra,
});
const SPECS = [
  spec(1, "box", "iou_bboxes"),
  spec(2, "quality", "exact_matching_choices"),
  spec(3, "confidence", "exact_matching_choices"),
  spec(4, "caption", "match_textareas"),
];

// Reference §3, the worked pair.
const box = (x: number) => ({
  from_name: "box",
  to_name: "image",
  type: "rectanglelabels",
  value: { x, y: 20, width: 50, height: 40, rectanglelabels: ["Dog"] },
});
const A = [
  box(10),
  { from_name: "quality", type: "choices", value: { choices: ["Good"] } },
  { from_name: "confidence", type: "rating", value: { rating: 4 } },
  { from_name: "caption", type: "textarea", value: { text: ["two dogs"] } },
];
const B = [
  box(15),
  { from_name: "quality", type: "choices", value: { choices: ["Blurry"] } },
  { from_name: "confidence", type: "rating", value: { rating: 4 } },
  { from_name: "caption", type: "textarea", value: { text: ["two dogs."] } },
];

describe("computeTaskMatrices", () => {
  it("reproduces the reference's worked pair (§3): 0.677, and 0.679 with weights 1 / 0.3 / 0.2 / 0", () => {
    const dims = bindDimensions(config, SPECS);
    const result = computeTaskMatrices(dims, [
      { id: "annotator:1", result: A },
      { id: "annotator:2", result: B },
    ]);
    expect(result.overall.matrix[0]![1]).toBeCloseTo((1800 / 2200 + 0 + 1 + (1 - 1 / 9)) / 4, 9);
    expect(result.byDimension.get(1)!.matrix[0]![1]).toBeCloseTo(0.818, 3);
    expect(result.byDimension.get(2)!.matrix[0]![1]).toBe(0);
    const weighted = bindDimensions(config, [
      spec(1, "box", "iou_bboxes"),
      spec(2, "quality", "exact_matching_choices", { weight: 0.3 }),
      spec(3, "confidence", "exact_matching_choices", { weight: 0.2 }),
      spec(4, "caption", "match_textareas", { weight: 0 }),
    ]);
    const w = computeTaskMatrices(weighted, [
      { id: "a", result: A },
      { id: "b", result: B },
    ]);
    expect(w.overall.matrix[0]![1]).toBeCloseTo((1800 / 2200 + 0.2) / 1.5, 9);
    // An inactive dimension keeps its own matrix but leaves the overall.
    const inactive = bindDimensions(config, [
      spec(1, "box", "iou_bboxes"),
      spec(2, "quality", "exact_matching_choices", { isActive: false }),
    ]);
    const i = computeTaskMatrices(inactive, [
      { id: "a", result: A },
      { id: "b", result: B },
    ]);
    expect(i.overall.matrix[0]![1]).toBeCloseTo(1800 / 2200, 9);
    expect(i.byDimension.get(2)!.matrix[0]![1]).toBe(0);
  });

  it("leaves out dimensions whose control is gone or whose metric no longer fits", () => {
    const dims = bindDimensions(config, [
      spec(1, "box", "iou_bboxes"),
      spec(9, "gone", "naive"),
      spec(8, "quality", "iou_bboxes"),
    ]);
    expect(dims.map((d) => d.id)).toEqual([1]);
  });

  it("lets two dimensions read one control with different metrics", () => {
    const dims = bindDimensions(config, [
      spec(1, "confidence", "exact_matching_choices"),
      spec(2, "confidence", "exact_matching_choices", { params: { mode: "difference" } }),
    ]);
    const r = computeTaskMatrices(dims, [
      { id: "a", result: [{ from_name: "confidence", type: "rating", value: { rating: 4 } }] },
      { id: "b", result: [{ from_name: "confidence", type: "rating", value: { rating: 5 } }] },
    ]);
    expect(r.byDimension.get(1)!.matrix[0]![1]).toBe(0);
    expect(r.byDimension.get(2)!.matrix[0]![1]).toBe(0.5);
  });

  it("agrees with the evaluate engine (same numbers as POST /api/agreement/evaluate) on random choices and ratings", () => {
    const dims = bindDimensions(config, [
      spec(2, "quality", "exact_matching_choices"),
      spec(3, "confidence", "exact_matching_choices"),
    ]);
    const participant = fc.record({
      quality: fc.option(fc.constantFrom("Good", "Blurry"), { nil: undefined }),
      confidence: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(participant, { minLength: 1, maxLength: 5 }), (people) => {
        const participants = people.map((p, k) => ({
          id: `p${k}`,
          kind: "annotation" as const,
          result: [
            ...(p.quality
              ? [{ from_name: "quality", type: "choices", value: { choices: [p.quality] } }]
              : []),
            ...(p.confidence
              ? [{ from_name: "confidence", type: "rating", value: { rating: p.confidence } }]
              : []),
          ],
        }));
        const ours = computeTaskMatrices(dims, participants);
        const engine = evaluateAgreement({
          labelConfig: config,
          participants,
          dimensions: { box: { active: false }, caption: { active: false } },
        });
        expect(ours.overall.matrix).toEqual(engine.matrix);
        expect(ours.overall.taskAgreement).toEqual(engine.taskAgreement);
        expect(ours.byDimension.get(2)!.matrix).toEqual(engine.dimensions.quality!.matrix);
      }),
    );
  });
});
