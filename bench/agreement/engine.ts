/**
 * Micro-benchmark of the agreement engine: tasks evaluated per second, per result type, for 3 and 5
 * participants (20 regions each for region types). Prints throughputs and ratios only.
 *
 *   npx tsx bench/agreement/engine.ts
 */

import type { ParsedLabelConfig } from "../../apps/server/src/labelstudio/label-config.js";
import { evaluateAgreement } from "../../apps/server/src/modules/agreement/evaluate.js";
import { encodeRle } from "../../apps/server/src/modules/agreement/metrics/brush-rle.js";
import { rgbaMask } from "../../apps/server/src/modules/agreement/metrics/test-factories.js";

const REGIONS = 20;
const MIN_MS = 300;

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Value = Record<string, unknown>;
interface Scenario {
  tag: string;
  perRegion?: boolean;
  /** Value of region k for participant p (participants disagree a little). */
  value(k: number, p: number, rnd: () => number): Value;
  regions: number;
}

const jitter = (rnd: () => number, amount: number) => (rnd() - 0.5) * 2 * amount;
const LABELS = ["A", "B", "C"];
const pick = (rnd: () => number) => LABELS[Math.floor(rnd() * LABELS.length)] as string;
const masks = Array.from({ length: REGIONS }, (_, k) => {
  const x = (k % 5) * 50;
  const y = Math.floor(k / 5) * 60;
  return [
    encodeRle(rgbaMask(256, 256, x, y, x + 40, y + 45)),
    encodeRle(rgbaMask(256, 256, x + 3, y, x + 43, y + 42)),
  ];
});

const region = (
  v: (k: number, p: number, rnd: () => number) => Value,
  tag: string,
  perRegion = false,
): Scenario => ({
  tag,
  perRegion,
  value: v,
  regions: REGIONS,
});
const single = (v: (p: number, rnd: () => number) => Value, tag: string): Scenario => ({
  tag,
  value: (_k, p, rnd) => v(p, rnd),
  regions: 1,
});

const scenarios: Scenario[] = [
  single((p) => ({ choices: p % 3 === 0 ? ["Red", "Blue"] : ["Red"] }), "choices"),
  single((p) => ({ taxonomy: [["Vehicles", "Car", p % 2 ? "Sedan" : "SUV"]] }), "taxonomy"),
  single((p) => ({ rating: 3 + (p % 2) }), "rating"),
  single((p) => ({ number: 10 + p }), "number"),
  single((p) => ({ datetime: `2024-01-0${1 + (p % 2)}` }), "datetime"),
  single((p) => ({ text: ["a short caption of the image", p % 2 ? "second line" : "2nd line"] }), "textarea"),
  single((p) => ({ selected: p % 2 ? "left" : "right" }), "pairwise"),
  single((p) => ({ ranker: { results: p % 2 ? ["a", "b", "c"] : ["b", "a", "c"] } }), "ranker"),
  region(
    (k, _p, r) => ({ start: k * 30 + Math.round(jitter(r, 3)), end: k * 30 + 20, labels: [pick(r)] }),
    "labels",
  ),
  region(
    (k, _p, r) => ({
      start: "/p[1]",
      end: "/p[1]",
      startOffset: k * 30,
      endOffset: k * 30 + 20 + Math.round(jitter(r, 3)),
      hypertextlabels: [pick(r)],
    }),
    "hypertextlabels",
  ),
  region(
    (k, _p, r) => ({ start: k * 100 + jitter(r, 5), end: k * 100 + 60, timeserieslabels: [pick(r)] }),
    "timeserieslabels",
  ),
  region(
    (k, _p, r) => ({
      x: (k % 5) * 20 + jitter(r, 2),
      y: Math.floor(k / 5) * 25,
      width: 15,
      height: 20,
      rectanglelabels: [pick(r)],
    }),
    "rectanglelabels",
  ),
  region((k, _p, r) => {
    const cx = (k % 5) * 20 + 10 + jitter(r, 1);
    const cy = Math.floor(k / 5) * 25 + 12;
    const points = Array.from({ length: 12 }, (_, i) => {
      const a = (i / 12) * 2 * Math.PI;
      const radius = 8 + jitter(r, 2);
      return [cx + radius * Math.cos(a), cy + radius * Math.sin(a)];
    });
    return { points, polygonlabels: [pick(r)] };
  }, "polygonlabels"),
  region(
    (k, _p, r) => ({
      x: (k % 5) * 20,
      y: Math.floor(k / 5) * 25,
      radiusX: 5,
      radiusY: 3 + Math.round(r()),
      ellipselabels: ["A"],
    }),
    "ellipselabels",
  ),
  region(
    (k, _p, r) => ({
      x: (k % 5) * 20 + jitter(r, 1),
      y: Math.floor(k / 5) * 25,
      width: 0.5,
      keypointlabels: [pick(r)],
    }),
    "keypointlabels",
  ),
  region((k, p, r) => ({ format: "rle", rle: masks[k]?.[p % 2], brushlabels: [pick(r)] }), "brushlabels"),
  region(
    (k, _p, r) => ({ start: k * 30, end: k * 30 + 20 + Math.round(jitter(r, 3)), choices: [pick(r)] }),
    "choices",
    true,
  ),
  region(
    (k, p, r) => ({
      x: (k % 5) * 20 + jitter(r, 2),
      y: Math.floor(k / 5) * 25,
      width: 15,
      height: 20,
      text: [p % 2 ? "a damaged door" : "a dented door"],
    }),
    "textarea",
    true,
  ),
];

function task(s: Scenario, participants: number, seed: number) {
  const rnd = prng(seed);
  const labelConfig: ParsedLabelConfig = {
    objects: [{ tag: "image", name: "obj", value: "$obj" }],
    controls: [
      {
        tag: s.tag,
        name: "c",
        toName: ["obj"],
        labels: LABELS,
        perRegion: s.perRegion ?? false,
        attributes: {},
      },
    ],
  };
  const list = Array.from({ length: participants }, (_, p) => ({
    id: `p${p}`,
    kind: "annotation" as const,
    result: Array.from({ length: s.regions }, (_, k) => ({
      from_name: "c",
      to_name: "obj",
      type: s.tag,
      value: s.value(k, p, rnd),
    })),
  }));
  return { labelConfig, participants: list };
}

/** Tasks per second for one scenario (parsed regions are cached per evaluation only, so repeats do not hit a cache). */
function throughput(s: Scenario, participants: number): number {
  const inputs = Array.from({ length: 8 }, (_, i) => task(s, participants, i + 1));
  for (const input of inputs) evaluateAgreement(input); // warm-up
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < MIN_MS) {
    for (const input of inputs) evaluateAgreement(input);
    done += inputs.length;
  }
  return done / ((performance.now() - start) / 1000);
}

const rows = scenarios.map((s) => {
  const name = s.perRegion ? `${s.tag}[per_region]` : s.tag;
  const three = throughput(s, 3);
  const five = throughput(s, 5);
  return { name, regions: s.regions, three, five };
});

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);
console.log(
  `agreement engine: tasks/s (node ${process.version}); 5-vs-3 ratio (3 pairs → 10 pairs: ~0.3 if linear in pairs)`,
);
console.log(
  `${"type".padEnd(24)}${"regions".padStart(8)}${"3 ppl".padStart(11)}${"5 ppl".padStart(11)}${"ratio".padStart(8)}`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(24)}${String(r.regions).padStart(8)} ${fmt(r.three)} ${fmt(r.five)}${(r.five / r.three).toFixed(2).padStart(8)}`,
  );
}
