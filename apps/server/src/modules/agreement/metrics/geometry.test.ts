import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  boxIoU,
  intervalIoU,
  type Point,
  polygonIntersectionArea,
  polygonIoU,
  preparePolygon,
} from "./geometry.js";

const square = (x: number, y: number, s: number): Point[] => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
];
const shoelace = (pts: readonly Point[]) =>
  Math.abs(
    pts.reduce((acc, p, i) => {
      const q = pts[(i + 1) % pts.length] as Point;
      return acc + p[0] * q[1] - q[0] * p[1];
    }, 0),
  ) / 2;

describe("intervalIoU", () => {
  it.each([
    [0, 14, 10, 14, 4 / 14],
    [0, 10, 5, 10, 0.5],
    [0, 5, 5, 10, 0],
    [0, 5, 6, 10, 0],
    [3, 3, 3, 3, 0],
    [10, 0, 5, 10, 0.5],
  ])("[%d,%d) vs [%d,%d) → %d", (s1, e1, s2, e2, expected) => {
    expect(intervalIoU(s1, e1, s2, e2)).toBeCloseTo(expected, 12);
  });
});

describe("boxIoU", () => {
  it("worked examples", () => {
    expect(boxIoU({ x: 0, y: 0, width: 20, height: 20 }, { x: 10, y: 0, width: 20, height: 20 })).toBeCloseTo(
      1 / 3,
      12,
    );
    expect(boxIoU({ x: 0, y: 0, width: 20, height: 20 }, { x: 5, y: 0, width: 20, height: 20 })).toBeCloseTo(
      0.6,
      12,
    );
    expect(
      boxIoU({ x: 10, y: 20, width: 50, height: 40 }, { x: 15, y: 20, width: 50, height: 40 }),
    ).toBeCloseTo(1800 / 2200, 12);
    expect(boxIoU({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 0, width: 0, height: 0 })).toBe(0);
  });
});

describe("polygons", () => {
  it("square vs shifted square → 1/3; square vs its half triangle → 0.5", () => {
    expect(polygonIoU(preparePolygon(square(0, 0, 20)), preparePolygon(square(10, 0, 20)))).toBeCloseTo(
      1 / 3,
      12,
    );
    const half: Point[] = [
      [0, 0],
      [20, 0],
      [0, 20],
    ];
    expect(polygonIoU(preparePolygon(square(0, 0, 20)), preparePolygon(half))).toBeCloseTo(0.5, 12);
  });

  it("a bow-tie is read as its two triangles", () => {
    const bowtie = preparePolygon([
      [0, 0],
      [10, 10],
      [10, 0],
      [0, 10],
    ]);
    expect(bowtie.area).toBeCloseTo(50, 12);
    const leftLobe = preparePolygon([
      [0, 0],
      [5, 5],
      [0, 10],
    ]);
    expect(polygonIoU(bowtie, leftLobe)).toBeCloseTo(0.5, 12);
  });

  it("concave polygons: an L and the square missing from it do not overlap", () => {
    const L = preparePolygon([
      [0, 0],
      [20, 0],
      [20, 10],
      [10, 10],
      [10, 20],
      [0, 20],
    ]);
    expect(L.area).toBeCloseTo(300, 12);
    expect(polygonIoU(L, preparePolygon(square(10, 10, 10)))).toBe(0);
    expect(polygonIoU(L, preparePolygon(square(0, 0, 10)))).toBeCloseTo(1 / 3, 12);
  });

  it("fewer than 3 points or collinear points have no area", () => {
    expect(
      preparePolygon([
        [0, 0],
        [1, 1],
      ]).area,
    ).toBe(0);
    expect(
      polygonIoU(
        preparePolygon([
          [0, 0],
          [1, 1],
          [2, 2],
        ]),
        preparePolygon(square(0, 0, 2)),
      ),
    ).toBe(0);
  });

  const rect = fc.record({
    x: fc.integer({ min: 0, max: 80 }),
    y: fc.integer({ min: 0, max: 80 }),
    width: fc.integer({ min: 1, max: 40 }),
    height: fc.integer({ min: 1, max: 40 }),
  });
  const asPolygon = (r: { x: number; y: number; width: number; height: number }) =>
    preparePolygon([
      [r.x, r.y],
      [r.x + r.width, r.y],
      [r.x + r.width, r.y + r.height],
      [r.x, r.y + r.height],
    ]);

  it("property: on axis-aligned rectangles polygon IoU equals box IoU", () => {
    fc.assert(
      fc.property(rect, rect, (a, b) => {
        expect(polygonIoU(asPolygon(a), asPolygon(b))).toBeCloseTo(boxIoU(a, b), 9);
      }),
    );
  });

  // Star-shaped rings: vertex k at angle (k + jitter)/n·2π around a centre. Every angular gap is below π,
  // so each edge stays inside its own sector and the ring is simple: its area is the shoelace area.
  const star = fc
    .array(
      fc.record({
        jitter: fc.double({ min: 0, max: 0.9, noNaN: true }),
        r: fc.double({ min: 1, max: 30, noNaN: true }),
      }),
      {
        minLength: 4,
        maxLength: 12,
      },
    )
    .chain((ps) =>
      fc
        .record({ cx: fc.integer({ min: 30, max: 70 }), cy: fc.integer({ min: 30, max: 70 }) })
        .map(({ cx, cy }) =>
          ps.map((p, k): Point => {
            const angle = ((k + p.jitter) / ps.length) * 2 * Math.PI;
            return [cx + p.r * Math.cos(angle), cy + p.r * Math.sin(angle)];
          }),
        ),
    );

  it("property: simple polygon area = shoelace; intersection bounded by both areas; IoU symmetric", () => {
    fc.assert(
      fc.property(star, star, (p, q) => {
        const a = preparePolygon(p);
        const b = preparePolygon(q);
        expect(a.area).toBeCloseTo(shoelace(p), 6);
        const inter = polygonIntersectionArea(a, b);
        expect(inter).toBeLessThanOrEqual(Math.min(a.area, b.area) + 1e-6);
        expect(inter).toBeCloseTo(polygonIntersectionArea(b, a), 6);
        if (a.area > 1e-6) expect(polygonIoU(a, a)).toBeCloseTo(1, 9);
      }),
    );
  });

  // Independent oracle for convex polygons: Sutherland–Hodgman clipping, then the shoelace area.
  const clip = (subject: Point[], clipper: Point[]): Point[] => {
    let out = subject;
    for (let i = 0; i < clipper.length && out.length > 0; i++) {
      const a = clipper[i] as Point;
      const b = clipper[(i + 1) % clipper.length] as Point;
      const inside = (p: Point) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0;
      const cut = (p: Point, q: Point): Point => {
        const d1 = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
        const d2 = (b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0]);
        const t = d1 / (d1 - d2);
        return [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
      };
      const input = out;
      out = [];
      for (let k = 0; k < input.length; k++) {
        const p = input[k] as Point;
        const q = input[(k + 1) % input.length] as Point;
        if (inside(q)) {
          if (!inside(p)) out.push(cut(p, q));
          out.push(q);
        } else if (inside(p)) out.push(cut(p, q));
      }
    }
    return out;
  };
  const convex = fc
    .record({
      cx: fc.integer({ min: 20, max: 80 }),
      cy: fc.integer({ min: 20, max: 80 }),
      r: fc.integer({ min: 2, max: 30 }),
      jitters: fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { minLength: 4, maxLength: 10 }),
    })
    .map(({ cx, cy, r, jitters }) =>
      jitters.map((j, k): Point => {
        const angle = ((k + j) / jitters.length) * 2 * Math.PI; // counter-clockwise
        return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
      }),
    );

  it("property: on convex polygons the intersection area equals Sutherland–Hodgman clipping", () => {
    fc.assert(
      fc.property(convex, convex, (p, q) => {
        const expected = shoelace(clip(p, q));
        expect(polygonIntersectionArea(preparePolygon(p), preparePolygon(q))).toBeCloseTo(expected, 6);
      }),
    );
  });
});
