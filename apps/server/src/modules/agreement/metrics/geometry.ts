/**
 * Exact geometry for region IoU (reference §2.6, §2.8, §2.9): 1-D spans, axis-aligned boxes and
 * polygons. Coordinates are whatever LS stores (percent of the image for boxes and polygons).
 */

/** 1-D IoU of `[s1, e1)` and `[s2, e2)`: 0 when disjoint or touching, 0 for a zero-length union. */
export function intervalIoU(s1: number, e1: number, s2: number, e2: number): number {
  const a0 = Math.min(s1, e1);
  const a1 = Math.max(s1, e1);
  const b0 = Math.min(s2, e2);
  const b1 = Math.max(s2, e2);
  const inter = Math.min(a1, b1) - Math.max(a0, b0);
  const union = Math.max(a1, b1) - Math.min(a0, b0);
  return inter > 0 && union > 0 ? inter / union : 0;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** IoU of two axis-aligned boxes (`rotation` is ignored, as evalme does); 0 for a zero-area union. */
export function boxIoU(a: Box, b: Box): number {
  const ax0 = Math.min(a.x, a.x + a.width);
  const ax1 = Math.max(a.x, a.x + a.width);
  const ay0 = Math.min(a.y, a.y + a.height);
  const ay1 = Math.max(a.y, a.y + a.height);
  const bx0 = Math.min(b.x, b.x + b.width);
  const bx1 = Math.max(b.x, b.x + b.width);
  const by0 = Math.min(b.y, b.y + b.height);
  const by1 = Math.max(b.y, b.y + b.height);
  const iw = Math.min(ax1, bx1) - Math.max(ax0, bx0);
  const ih = Math.min(ay1, by1) - Math.max(ay0, by0);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter;
  return union > 0 ? inter / union : 0;
}

export type Point = readonly [number, number];

/** A polygon prepared once: its non-vertical edges, x-range and (even-odd) area. */
export interface Polygon {
  readonly edges: readonly Edge[];
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
  readonly area: number;
  /** No two edges cross: the sweep can skip crossings within this ring. */
  readonly simple: boolean;
}

interface Edge {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * Prepares a ring (closed implicitly). Self-intersecting rings are read with the even-odd rule, so a
 * bow-tie is its two triangles — what evalme's `make_valid` repair yields; fewer than 3 points → area 0.
 */
export function preparePolygon(points: readonly Point[]): Polygon {
  const edges: Edge[] = [];
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  if (points.length >= 3) {
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as Point;
      const q = points[(i + 1) % points.length] as Point;
      minX = Math.min(minX, p[0]);
      maxX = Math.max(maxX, p[0]);
      minY = Math.min(minY, p[1]);
      maxY = Math.max(maxY, p[1]);
      // Vertical edges bound no slab interior; the sweep below never needs them.
      if (p[0] === q[0]) continue;
      edges.push(
        p[0] < q[0] ? { x1: p[0], y1: p[1], x2: q[0], y2: q[1] } : { x1: q[0], y1: q[1], x2: p[0], y2: p[1] },
      );
    }
  }
  const shell = { edges, minX, maxX, minY, maxY, area: 0, simple: true };
  if (edges.length === 0) return shell;
  // A simple ring's area is its shoelace area; only self-crossing rings need the even-odd sweep.
  if (isSimple(points)) return { ...shell, area: shoelaceArea(points) };
  return { ...shell, simple: false, area: sweep({ ...shell, simple: false }, undefined) };
}

function shoelaceArea(points: readonly Point[]): number {
  let twice = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as Point;
    const q = points[(i + 1) % points.length] as Point;
    twice += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(twice) / 2;
}

/** True when no two non-adjacent edges of the ring touch (adjacent ones only share their vertex). */
function isSimple(points: readonly Point[]): boolean {
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const a = points[i] as Point;
    const b = points[(i + 1) % n] as Point;
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (segmentsTouch(a, b, points[j] as Point, points[(j + 1) % n] as Point)) return false;
    }
  }
  return true;
}

function orientation(a: Point, b: Point, c: Point): number {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
}

function onSegment(a: Point, b: Point, p: Point): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

function segmentsTouch(a: Point, b: Point, c: Point, d: Point): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4 && o1 * o2 <= 0 && o3 * o4 <= 0) return true;
  return (
    (o1 === 0 && onSegment(a, b, c)) ||
    (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) ||
    (o4 === 0 && onSegment(c, d, b))
  );
}

/** Area of the intersection of two prepared polygons (even-odd interiors). */
export function polygonIntersectionArea(a: Polygon, b: Polygon): number {
  if (a.area === 0 || b.area === 0) return 0;
  if (a.maxX <= b.minX || b.maxX <= a.minX || a.maxY <= b.minY || b.maxY <= a.minY) return 0;
  return sweep(a, b);
}

/** IoU of two prepared polygons; 0 for a zero-area union. */
export function polygonIoU(a: Polygon, b: Polygon): number {
  const inter = polygonIntersectionArea(a, b);
  const union = a.area + b.area - inter;
  return union > 0 && inter > 0 ? Math.min(1, inter / union) : 0;
}

/**
 * Exact area by vertical slabs. Slab boundaries are every vertex x and every edge-edge crossing x, so
 * inside a slab no two edges cross: each cross-section is a set of intervals whose ends move
 * linearly, and the slab's area is its width times the cross-section measured at the middle.
 * With `b`, the measure is that of (a ∩ b); without, that of a alone.
 */
function sweep(a: Polygon, b: Polygon | undefined): number {
  const lo = b ? Math.max(a.minX, b.minX) : a.minX;
  const hi = b ? Math.min(a.maxX, b.maxX) : a.maxX;
  const xs: number[] = [lo, hi];
  const addVertices = (edges: readonly Edge[]): void => {
    for (const e of edges) {
      if (e.x1 > lo && e.x1 < hi) xs.push(e.x1);
      if (e.x2 > lo && e.x2 < hi) xs.push(e.x2);
    }
  };
  const addCrossings = (p: readonly Edge[], q: readonly Edge[] | undefined): void => {
    for (let i = 0; i < p.length; i++) {
      const others = q ?? p;
      for (let j = q ? 0 : i + 1; j < others.length; j++) {
        const x = crossingX(p[i] as Edge, others[j] as Edge);
        if (x !== undefined && x > lo && x < hi) xs.push(x);
      }
    }
  };
  addVertices(a.edges);
  if (!a.simple) addCrossings(a.edges, undefined);
  if (b) {
    addVertices(b.edges);
    if (!b.simple) addCrossings(b.edges, undefined);
    addCrossings(a.edges, b.edges);
  }
  xs.sort((p, q) => p - q);
  // Cross-sections are short (2 crossings for a convex ring): scratch buffers and insertion sort
  // keep the per-slab work allocation-free.
  const ya = new Float64Array(a.edges.length);
  const yb = new Float64Array(b ? b.edges.length : 0);
  let area = 0;
  for (let k = 0; k + 1 < xs.length; k++) {
    const x0 = xs[k] as number;
    const x1 = xs[k + 1] as number;
    if (x1 <= x0) continue;
    const mid = (x0 + x1) / 2;
    const na = crossSection(a.edges, mid, ya);
    area +=
      (x1 - x0) * (b ? overlapLength(ya, na, yb, crossSection(b.edges, mid, yb)) : evenOddLength(ya, na));
  }
  return area;
}

/** Writes the sorted ordinates where `edges` cross the vertical line at `x` into `out`; returns their count. */
function crossSection(edges: readonly Edge[], x: number, out: Float64Array): number {
  let n = 0;
  for (const e of edges) {
    if (!(e.x1 < x && x < e.x2)) continue;
    const y = e.y1 + ((x - e.x1) * (e.y2 - e.y1)) / (e.x2 - e.x1);
    let k = n++;
    while (k > 0 && (out[k - 1] as number) > y) {
      out[k] = out[k - 1] as number;
      k--;
    }
    out[k] = y;
  }
  return n;
}

function evenOddLength(ys: Float64Array, n: number): number {
  let total = 0;
  for (let i = 0; i + 1 < n; i += 2) total += (ys[i + 1] as number) - (ys[i] as number);
  return total;
}

/** Length of the intersection of two even-odd interval sets given by sorted crossing ordinates. */
function overlapLength(ya: Float64Array, na: number, yb: Float64Array, nb: number): number {
  let total = 0;
  let i = 0;
  let j = 0;
  while (i + 1 < na && j + 1 < nb) {
    const a0 = ya[i] as number;
    const a1 = ya[i + 1] as number;
    const b0 = yb[j] as number;
    const b1 = yb[j + 1] as number;
    const overlap = Math.min(a1, b1) - Math.max(a0, b0);
    if (overlap > 0) total += overlap;
    if (a1 < b1) i += 2;
    else j += 2;
  }
  return total;
}

/** x of the crossing of two segments, if they cross (parallel segments never change order). */
function crossingX(e: Edge, f: Edge): number | undefined {
  if (e.x2 <= f.x1 || f.x2 <= e.x1) return undefined;
  const dx1 = e.x2 - e.x1;
  const dy1 = e.y2 - e.y1;
  const dx2 = f.x2 - f.x1;
  const dy2 = f.y2 - f.y1;
  const denom = dx1 * dy2 - dy1 * dx2;
  if (denom === 0) return undefined;
  const t = ((f.x1 - e.x1) * dy2 - (f.y1 - e.y1) * dx2) / denom;
  const u = ((f.x1 - e.x1) * dy1 - (f.y1 - e.y1) * dx1) / denom;
  if (t < 0 || t > 1 || u < 0 || u > 1) return undefined;
  return e.x1 + t * dx1;
}
