import { describe, expect, it } from "vitest";
import type { ParsedLabelConfig } from "../../labelstudio/label-config.js";
import { AppError } from "../../lib/app-error.js";
import {
  EvaluateAgreementRequest,
  EvaluateAgreementResponse,
  evaluateAgreement,
  evaluateFromRequest,
} from "./evaluate.js";
import { box, choice, item, text } from "./metrics/test-factories.js";

const ctl = (tag: string, name: string, labels: string[] = []) => ({
  tag,
  name,
  toName: ["image"],
  labels,
  perRegion: false,
  attributes: {},
});
const config: ParsedLabelConfig = {
  objects: [{ tag: "image", name: "image", value: "$image" }],
  controls: [
    ctl("rectanglelabels", "label", ["Car", "Dog"]),
    ctl("choices", "quality", ["Good", "Blurry"]),
    ctl("rating", "confidence"),
    ctl("textarea", "caption"),
  ],
};

// Reference §3: the worked pair.
const A = [
  box(10, 20, 50, 40, "Dog", "label"),
  choice("quality", "Good"),
  item("confidence", "rating", { rating: 4 }),
  text(["two dogs"]),
];
const B = [
  box(15, 20, 50, 40, "Dog", "label"),
  choice("quality", "Blurry"),
  item("confidence", "rating", { rating: 4 }),
  text(["two dogs."]),
];
const people = (...results: unknown[][]) =>
  results.map((result, i) => ({ id: `u${i + 1}`, kind: "annotation" as const, result }));

describe("evaluateAgreement", () => {
  it("worked pair (§3): 0.818, 0, 1, 0.889 → 0.677", () => {
    const r = evaluateAgreement({ labelConfig: config, participants: people(A, B) });
    expect(r.participants).toEqual(["u1", "u2"]);
    expect(r.matrix[0]?.[1]).toBeCloseTo((1800 / 2200 + 0 + 1 + 8 / 9) / 4, 12);
    expect(r.matrix[0]?.[1]).toBeCloseTo(0.677, 3);
    expect(r.dimensions.label?.metric).toBe("iou_bboxes");
    expect(r.dimensions.label?.matrix[1]?.[0]).toBeCloseTo(0.818, 3);
    expect(r.dimensions.quality?.matrix[0]?.[1]).toBe(0);
    expect(r.dimensions.confidence?.matrix[0]?.[1]).toBe(1);
    expect(r.dimensions.caption?.matrix[0]?.[1]).toBeCloseTo(0.889, 3);
    expect(r.taskAgreement).toBeCloseTo(0.677, 3);
  });

  it("worked pair with weights 1 / 0.3 / 0.2 / 0 → 0.679", () => {
    const r = evaluateAgreement({
      labelConfig: config,
      participants: people(A, B),
      dimensions: { quality: { weight: 0.3 }, confidence: { weight: 0.2 }, caption: { weight: 0 } },
    });
    expect(r.matrix[0]?.[1]).toBeCloseTo((1800 / 2200 + 0.2) / 1.5, 12);
    expect(r.matrix[0]?.[1]).toBeCloseTo(0.679, 3);
    // Weight 0 removes caption from the overall, not from its own matrix.
    expect(r.dimensions.caption?.matrix[0]?.[1]).toBeCloseTo(8 / 9, 12);
  });

  it("pairwise average: A, A, B → pairs 1, 0, 0 → 1/3", () => {
    const r = evaluateAgreement({
      labelConfig: config,
      participants: people(
        [choice("quality", "Good")],
        [choice("quality", "Good")],
        [choice("quality", "Blurry")],
      ),
    });
    expect(r.matrix).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    expect(r.taskAgreement).toBeCloseTo(1 / 3, 12);
    // Controls nobody used are null in their own matrix.
    expect(r.dimensions.label?.matrix[0]?.[1]).toBeNull();
    expect(r.dimensions.label?.matrix[0]?.[0]).toBe(1);
  });

  it("one participant → 1; none → null; no comparable pair → null", () => {
    expect(evaluateAgreement({ labelConfig: config, participants: people(A) }).taskAgreement).toBe(1);
    expect(evaluateAgreement({ labelConfig: config, participants: [] }).taskAgreement).toBeNull();
    const r = evaluateAgreement({
      labelConfig: config,
      participants: people([choice("quality", "Good")], [choice("quality", "Good")]),
      dimensions: { quality: { active: false } },
    });
    expect(r.matrix[0]?.[1]).toBeNull();
    expect(r.taskAgreement).toBeNull();
    expect(Object.keys(r.dimensions)).toEqual(["label", "confidence", "caption"]);
  });

  it("two empty results agree fully; predictions are scored like annotations", () => {
    const r = evaluateAgreement({
      labelConfig: config,
      participants: [
        { id: "u1", kind: "annotation", result: [] },
        { id: "model:v1", kind: "prediction", result: [] },
        { id: "u2", kind: "annotation", result: [choice("quality", "Good")] },
      ],
    });
    expect(r.matrix[0]?.[1]).toBe(1);
    expect(r.matrix[0]?.[2]).toBe(0);
    expect(r.taskAgreement).toBeCloseTo(1 / 3, 12);
  });

  it("metric choice and label weights per dimension", () => {
    const r = evaluateAgreement({
      labelConfig: config,
      participants: people([choice("quality", "Good", "Blurry")], [choice("quality", "Good")]),
      dimensions: {
        quality: { metric: "exact_matching_choices", params: { mode: "jaccard" }, labelWeights: { Good: 3 } },
      },
    });
    expect(r.matrix[0]?.[1]).toBe(0.75);
  });

  it("configuration errors are BAD_REQUEST", () => {
    const run = (dimensions: Record<string, object>) => () =>
      evaluateAgreement({ labelConfig: config, participants: people(A, B), dimensions });
    expect(run({ nope: {} })).toThrow(AppError);
    expect(run({ quality: { metric: "iou_bboxes" } })).toThrow(/does not apply/);
    expect(run({ label: { params: { iou_threshold: -1 } } })).toThrow(/Invalid params/);
    expect(() =>
      evaluateAgreement({ labelConfig: config, participants: [...people(A), ...people(B)] }),
    ).toThrow(/unique/);
  });

  it("the output satisfies the response schema", () => {
    const r = evaluateAgreement({ labelConfig: config, participants: people(A, B, [], A) });
    expect(EvaluateAgreementResponse.parse(r)).toEqual(r);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(r.matrix[i]?.[j]).toBe(r.matrix[j]?.[i]);
  });
});

describe("EvaluateAgreementRequest", () => {
  const xml = `<View>
    <Image name="image" value="$image"/>
    <Choices name="quality" toName="image"><Choice value="Good"/><Choice value="Blurry"/></Choices>
  </View>`;

  it("parses the XML config and evaluates", () => {
    const body = EvaluateAgreementRequest.parse({
      labelConfig: xml,
      participants: people([choice("quality", "Good")], [choice("quality", "Good")]),
    });
    expect(evaluateFromRequest(body).matrix).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it("an invalid XML config is BAD_REQUEST", () => {
    const body = EvaluateAgreementRequest.parse({ labelConfig: "<View>", participants: [] });
    expect(() => evaluateFromRequest(body)).toThrow(AppError);
  });

  it("bounds: 100 participants, 10,000 items each, unique ids, known fields", () => {
    const p = (id: string, n = 0) => ({
      id,
      kind: "annotation",
      result: Array.from({ length: n }, () => ({})),
    });
    const ok = (participants: unknown[], extra = {}) =>
      EvaluateAgreementRequest.safeParse({ labelConfig: xml, participants, ...extra }).success;
    expect(ok(Array.from({ length: 100 }, (_, i) => p(`u${i}`)))).toBe(true);
    expect(ok(Array.from({ length: 101 }, (_, i) => p(`u${i}`)))).toBe(false);
    expect(ok([p("u1", 10_000)])).toBe(true);
    expect(ok([p("u1", 10_001)])).toBe(false);
    expect(ok([p("u1"), p("u1")])).toBe(false);
    expect(ok([{ id: "u1", kind: "reviewer", result: [] }])).toBe(false);
    expect(ok([], { dimensions: { quality: { weight: -1 } } })).toBe(false);
    expect(ok([], { dimensions: { quality: { wieght: 1 } } })).toBe(false);
  });
});
