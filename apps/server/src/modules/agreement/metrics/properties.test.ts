/**
 * Properties every metric must have (fast-check): symmetry of the dimension score, range [0, 1] with
 * default weights, identity = 1 on well-formed non-empty results (with the exceptions the reference
 * documents), and the evaluation matrix shape.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateAgreement } from "../evaluate.js";
import { encodeRle } from "./brush-rle.js";
import { resolveMetric } from "./registry.js";
import { control, item, rgbaMask } from "./test-factories.js";
import type { ResultItem, TaxonomyNode } from "./types.js";

const label = fc.constantFrom("A", "B", "C");
const items = (one: fc.Arbitrary<ResultItem>, max = 6) => fc.array(one, { minLength: 1, maxLength: max });

const choiceItem = fc
  .uniqueArray(fc.constantFrom("Red", "Green", "Blue", "Cyan"), { minLength: 1, maxLength: 3 })
  .map((choices) => item("c", "choices", { choices }));
const spanItem = fc
  .record({ start: fc.integer({ min: 0, max: 60 }), len: fc.integer({ min: 1, max: 20 }), l: label })
  .map(({ start, len, l }) => item("c", "labels", { start, end: start + len, labels: [l] }));
const boxItem = fc
  .record({
    x: fc.integer({ min: 0, max: 80 }),
    y: fc.integer({ min: 0, max: 80 }),
    w: fc.integer({ min: 1, max: 20 }),
    h: fc.integer({ min: 1, max: 20 }),
    l: label,
  })
  .map(({ x, y, w, h, l }) =>
    item("c", "rectanglelabels", { x, y, width: w, height: h, rectanglelabels: [l] }),
  );
const polygonItem = fc
  .record({
    cx: fc.integer({ min: 20, max: 80 }),
    cy: fc.integer({ min: 20, max: 80 }),
    radii: fc.array(fc.integer({ min: 2, max: 20 }), { minLength: 4, maxLength: 8 }),
    l: label,
  })
  .map(({ cx, cy, radii, l }) =>
    item("c", "polygonlabels", {
      points: radii.map((r, k) => {
        const angle = (k / radii.length) * 2 * Math.PI;
        return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
      }),
      polygonlabels: [l],
    }),
  );
const keypointItem = fc
  .record({ x: fc.integer({ min: 0, max: 100 }), y: fc.integer({ min: 0, max: 100 }), l: label })
  .map(({ x, y, l }) => item("c", "keypointlabels", { x, y, width: 1, keypointlabels: [l] }));
const brushItem = fc
  .record({
    x: fc.integer({ min: 0, max: 6 }),
    y: fc.integer({ min: 0, max: 6 }),
    s: fc.integer({ min: 1, max: 4 }),
    l: label,
  })
  .map(({ x, y, s, l }) =>
    item("c", "brushlabels", {
      format: "rle",
      rle: encodeRle(rgbaMask(10, 10, x, y, x + s, y + s)),
      brushlabels: [l],
    }),
  );
const line = fc.string({ unit: fc.constantFrom("a", "b", "c", " "), minLength: 1, maxLength: 12 });
const textItem = fc
  .array(line, { minLength: 1, maxLength: 3 })
  .map((text) => item("c", "textarea", { text }));
const tree: TaxonomyNode[] = [
  {
    value: "V",
    children: [{ value: "Car", children: [{ value: "Sedan" }, { value: "SUV" }] }, { value: "Bike" }],
  },
  { value: "Animal", children: [{ value: "Dog" }, { value: "Cat" }] },
];
const taxonomyItem = fc
  .uniqueArray(
    fc.constantFrom(
      ["V"],
      ["V", "Car"],
      ["V", "Car", "Sedan"],
      ["V", "Car", "SUV"],
      ["V", "Bike"],
      ["Animal", "Dog"],
    ),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((taxonomy) => item("c", "taxonomy", { taxonomy }));
const ratingItem = fc.integer({ min: 1, max: 5 }).map((rating) => item("c", "rating", { rating }));
const numberItem = fc.integer({ min: -5, max: 5 }).map((number) => item("c", "number", { number }));
const spanChoiceItem = fc
  .record({ start: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: 1, max: 10 }), c: label })
  .map(({ start, len, c }) => item("c", "choices", { start, end: start + len, choices: [c] }));
const boxTextItem = fc
  .record({ x: fc.integer({ min: 0, max: 30 }), w: fc.integer({ min: 1, max: 20 }), t: line })
  .map(({ x, w, t }) => item("c", "textarea", { x, y: 0, width: w, height: 10, text: [t] }));

interface Case {
  tag: string;
  metric?: string;
  params?: Record<string, unknown>;
  perRegion?: boolean;
  gen: fc.Arbitrary<ResultItem[]>;
  /** `single`: identity only holds with one region (every same-label pair counts in P/R). */
  identity: boolean | "single";
}

const cases: Case[] = [
  { tag: "choices", gen: items(choiceItem, 2), identity: true },
  { tag: "choices", params: { mode: "jaccard" }, gen: items(choiceItem, 2), identity: true },
  { tag: "rating", gen: items(ratingItem, 1), identity: true },
  { tag: "rating", params: { mode: "difference" }, gen: items(ratingItem, 1), identity: true },
  {
    tag: "number",
    params: { mode: "threshold", max_difference: 2 },
    gen: items(numberItem, 1),
    identity: true,
  },
  { tag: "taxonomy", params: { tree }, gen: items(taxonomyItem, 1), identity: true },
  { tag: "taxonomy", params: { variant: "docs" }, gen: items(taxonomyItem, 1), identity: true },
  { tag: "taxonomy", metric: "path_match_taxonomy", gen: items(taxonomyItem, 2), identity: true },
  {
    tag: "taxonomy",
    metric: "path_match_taxonomy",
    params: { variant: "docs" },
    gen: items(taxonomyItem, 2),
    identity: true,
  },
  { tag: "textarea", gen: items(textItem, 2), identity: true },
  {
    tag: "textarea",
    params: { qval: 0, algorithm: "DamerauLevenshtein" },
    gen: items(textItem, 2),
    identity: true,
  },
  { tag: "textarea", params: { algorithm: "JaroWinkler" }, gen: items(textItem, 2), identity: true },
  { tag: "labels", gen: items(spanItem), identity: true },
  {
    tag: "labels",
    params: { aggregation: "pooled", iou_threshold: 0.5 },
    gen: items(spanItem),
    identity: true,
  },
  { tag: "labels", params: { label_agnostic_best_match: true }, gen: items(spanItem), identity: false },
  { tag: "rectanglelabels", gen: items(boxItem), identity: true },
  { tag: "rectanglelabels", metric: "precision_bboxes", gen: items(boxItem), identity: "single" },
  { tag: "rectanglelabels", metric: "recall_bboxes", gen: items(boxItem), identity: "single" },
  { tag: "rectanglelabels", metric: "f1_bboxes", gen: items(boxItem), identity: "single" },
  { tag: "rectanglelabels", metric: "mAP_bboxes", gen: items(boxItem), identity: "single" },
  { tag: "polygonlabels", gen: items(polygonItem, 4), identity: true },
  { tag: "polygonlabels", metric: "f1_polygons", gen: items(polygonItem, 3), identity: "single" },
  { tag: "keypointlabels", gen: items(keypointItem), identity: true },
  { tag: "brushlabels", gen: items(brushItem, 4), identity: true },
  { tag: "ellipselabels", gen: items(boxItem.map((b) => ({ ...b, type: "ellipselabels" }))), identity: true },
  { tag: "choices", perRegion: true, gen: items(spanChoiceItem), identity: true },
  { tag: "textarea", perRegion: true, gen: items(boxTextItem), identity: true },
];

describe.each(cases)("$tag $metric $params (per region: $perRegion)", (c) => {
  const metric = resolveMetric(control(c.tag, "c", { perRegion: c.perRegion ?? false }), c, {
    labelWeights: {},
  });
  if (!metric) throw new Error("no metric");

  it("is symmetric and within [0, 1]", () => {
    fc.assert(
      fc.property(c.gen, c.gen, (a, b) => {
        const ab = metric.score(a, b);
        expect(ab).toBeCloseTo(metric.score(b, a), 12);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });

  if (c.identity !== false) {
    it("scores a result against itself as 1", () => {
      const gen = c.identity === "single" ? c.gen.map((a) => a.slice(0, 1)) : c.gen;
      fc.assert(
        fc.property(gen, (a) => {
          expect(metric.score(a, a)).toBeCloseTo(1, 12);
          // A structurally equal copy (another participant's identical result) scores the same.
          expect(metric.score(a, structuredClone(a))).toBeCloseTo(1, 12);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe("evaluateAgreement matrix properties", () => {
  const config = {
    objects: [{ tag: "image", name: "img", value: "$image" }],
    controls: [
      { tag: "rectanglelabels", name: "box", toName: ["img"], labels: [], perRegion: false, attributes: {} },
      { tag: "choices", name: "q", toName: ["img"], labels: [], perRegion: false, attributes: {} },
    ],
  };
  const result = fc
    .tuple(fc.array(boxItem, { maxLength: 3 }), fc.option(choiceItem, { nil: undefined }))
    .map(([boxes, q]) => [
      ...boxes.map((b) => ({ ...b, from_name: "box" })),
      ...(q ? [{ ...q, from_name: "q" }] : []),
    ]);

  it("diagonal 1, symmetric, values in [0, 1] or null, taskAgreement = mean of the pairs", () => {
    fc.assert(
      fc.property(fc.array(result, { minLength: 2, maxLength: 5 }), (results) => {
        const r = evaluateAgreement({
          labelConfig: config,
          participants: results.map((result, i) => ({ id: `p${i}`, kind: "annotation", result })),
        });
        const values: number[] = [];
        r.matrix.forEach((row, i) => {
          row.forEach((v, j) => {
            if (i === j) expect(v).toBe(1);
            expect(v).toBe(r.matrix[j]?.[i]);
            if (v !== null) {
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(1);
              if (i < j) values.push(v);
            }
          });
        });
        if (values.length === 0) expect(r.taskAgreement).toBeNull();
        else expect(r.taskAgreement).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 12);
      }),
      { numRuns: 60 },
    );
  });
});
