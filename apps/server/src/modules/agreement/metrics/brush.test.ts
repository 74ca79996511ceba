import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iouBrush, maskIoU } from "./brush.js";
import { decodeRle, decodeRleRuns, encodeRle } from "./brush-rle.js";
import { bitsToBytes, item, rgbaMask } from "./test-factories.js";

// Header: 32 bits count, 5 bits word size − 1 (7 → 8-bit words), class sizes − 1: 2, 3, 7, 15 (3, 4, 8, 16 bits).
const header = (count: number) => `${count.toString(2).padStart(32, "0")} 00111 0010 0011 0111 1111`;

describe("LS brush RLE decoding", () => {
  it("decodes hand-made repeat chunks: 3 × 0, 2 × 255", () => {
    const bytes = bitsToBytes(`${header(5)} 1 00 010 00000000 1 00 001 11111111`);
    expect([...decodeRle(bytes)]).toEqual([0, 0, 0, 255, 255]);
    expect(decodeRleRuns(bytes)).toEqual({ length: 5, runs: [3, 5], count: 2 });
  });

  it("decodes a hand-made literal chunk and a class-1 (4-bit) repeat", () => {
    // literal of 3 words (1, 0, 3), then 9 × 7 with class 1 (count − 1 = 8 in 4 bits).
    const bytes = bitsToBytes(`${header(12)} 0 00 010 00000001 00000000 00000011 1 01 1000 00000111`);
    expect([...decodeRle(bytes)]).toEqual([1, 0, 3, 7, 7, 7, 7, 7, 7, 7, 7, 7]);
    expect(decodeRleRuns(bytes)).toEqual({ length: 12, runs: [0, 1, 2, 12], count: 11 });
  });

  it("truncated data and absurd headers stop decoding without allocating the announced size", () => {
    const bytes = bitsToBytes(`${header(2 ** 32 - 1)} 1 11 1111111111111111 11111111`);
    const runs = decodeRleRuns(bytes);
    expect(runs.length).toBe(2 ** 32 - 1);
    expect(runs.count).toBe(65536);
    expect(decodeRleRuns([1, 2]).count).toBe(0);
    expect(() => decodeRle(bytes)).toThrow(RangeError);
  });

  it("property: encode → decode round-trips, runs count the non-zero words", () => {
    const words = fc.array(fc.oneof(fc.constant(0), fc.constant(255), fc.integer({ min: 0, max: 255 })), {
      maxLength: 400,
    });
    fc.assert(
      fc.property(words, (w) => {
        const rle = encodeRle(w);
        expect([...decodeRle(rle)]).toEqual(w);
        expect(decodeRleRuns(rle).count).toBe(w.filter((x) => x !== 0).length);
      }),
    );
  });
});

describe("iou_brush (reference §2.12)", () => {
  const mask = (x0: number, y0: number, x1: number, y1: number, label = "Cat") =>
    item("brush", "brushlabels", {
      format: "rle",
      rle: encodeRle(rgbaMask(20, 20, x0, y0, x1, y1)),
      brushlabels: [label],
    });
  const evalme = { thresholdComparison: "gt", aggregation: "min" } as const;

  it("a 10×10-pixel mask vs its top half → 0.5", () => {
    expect(iouBrush({}, evalme).score([mask(0, 0, 10, 10)], [mask(0, 0, 10, 5)])).toBe(0.5);
    expect(
      maskIoU(
        decodeRleRuns(encodeRle(rgbaMask(20, 20, 0, 0, 10, 10))),
        decodeRleRuns(encodeRle(rgbaMask(20, 20, 0, 0, 10, 5))),
      ),
    ).toBe(0.5);
  });

  it("labels must be identical; disjoint masks → 0", () => {
    expect(iouBrush({}, evalme).score([mask(0, 0, 10, 10, "Cat")], [mask(0, 0, 10, 10, "Dog")])).toBe(0);
    expect(iouBrush({}, evalme).score([mask(0, 0, 5, 5)], [mask(10, 10, 15, 15)])).toBe(0);
  });

  it("iterates over references: a reference without a match pulls f(G, P) down", () => {
    const g = [mask(0, 0, 10, 10), mask(10, 10, 20, 20)];
    const p = [mask(0, 0, 10, 10)];
    expect(iouBrush({}, evalme).directional(g, p)).toBe(0.5);
    expect(iouBrush({}, evalme).directional(p, g)).toBe(1);
    // Mean label weight of the reference: Dog weight 3 → (1·1 + 3·0) / 4.
    const gw = [mask(0, 0, 10, 10, "Cat"), mask(10, 10, 20, 20, "Dog")];
    expect(iouBrush({ Dog: 3 }, evalme).directional(gw, p)).toBe(0.25);
  });

  it("a result without rle is an empty mask", () => {
    const empty = item("brush", "brushlabels", { brushlabels: ["Cat"] });
    expect(iouBrush({}, evalme).score([empty], [mask(0, 0, 1, 1)])).toBe(0);
  });
});
