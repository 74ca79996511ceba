/** Factories for agreement tests and benchmarks: LS result items without the noise of full literals. */
import type { ControlInfo, ResultItem } from "./types.js";

/** One result item of control `from` with LS `type` = `type`. */
export function item(from: string, type: string, value: Record<string, unknown>): ResultItem {
  return { from_name: from, to_name: "obj", type, value };
}

export const choice = (from: string, ...choices: string[]) => item(from, "choices", { choices });

export const span = (start: number | string, end: number | string, label: string, from = "ner") =>
  item(from, "labels", { start, end, labels: [label] });

export const box = (x: number, y: number, width: number, height: number, label = "Car", from = "box") =>
  item(from, "rectanglelabels", { x, y, width, height, rotation: 0, rectanglelabels: [label] });

export const polygon = (points: [number, number][], label = "Car", from = "poly") =>
  item(from, "polygonlabels", { points, polygonlabels: [label] });

export const keypoint = (x: number, y: number, label = "Nose", from = "kp") =>
  item(from, "keypointlabels", { x, y, width: 0.5, keypointlabels: [label] });

export const text = (lines: string[] | string, from = "caption") => item(from, "textarea", { text: lines });

/** A control of a parsed label config. */
export function control(tag: string, name: string, extra: Partial<ControlInfo> = {}): ControlInfo {
  return { tag, name, labels: [], perRegion: false, ...extra };
}

/** A flat RGBA mask (`width × height × 4` words) with the pixels inside `[x0, x1) × [y0, y1)` set to 255. */
export function rgbaMask(
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) out.fill(255, (y * width + x) * 4, (y * width + x + 1) * 4);
  return out;
}

/** Bytes from a string of bits ("0101…", spaces ignored), zero-padded to whole bytes. */
export function bitsToBytes(bits: string): number[] {
  const clean = bits.replace(/\s+/g, "");
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 8)
    out.push(Number.parseInt(clean.slice(i, i + 8).padEnd(8, "0"), 2));
  return out;
}
