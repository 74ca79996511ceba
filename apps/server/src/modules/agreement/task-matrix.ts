/**
 * Agreement matrices of one task (item) over stored dimensions. Pure: the recompute job, the backfill
 * and the matrix endpoint feed it rows and store or present what it returns. The per-pair rules are
 * the engine's (`metrics/pair.ts`, reference §1.1); unlike `evaluate.ts`, dimensions here are
 * stored rows, so several dimensions may read the same control (a user-defined dimension can compare
 * a control with another metric) and each is keyed by its id.
 */
import type { ParsedLabelConfig } from "../../labelstudio/label-config.js";
import { isAppError } from "../../lib/app-error.js";
import { dimensionScore, type PreparedResult, prepareResult } from "./metrics/pair.js";
import { resolveMetric } from "./metrics/registry.js";
import type { BoundMetric } from "./metrics/types.js";
import { clip01 } from "./metrics/values.js";

/** The stored configuration of one dimension (a row of `agreement_dimensions`). */
export interface DimensionSpec {
  readonly id: number;
  readonly controlName: string;
  readonly metric: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly weight: number;
  readonly labelWeights: Readonly<Record<string, number>> | null;
  readonly isActive: boolean;
}

export interface BoundDimension {
  readonly id: number;
  readonly controlName: string;
  readonly weight: number;
  readonly isActive: boolean;
  readonly metric: BoundMetric;
}

/**
 * Binds each dimension's metric to its control. A dimension whose control is gone from the config,
 * or whose stored metric no longer fits (the config changed under it), is left out: it has no
 * matrix rather than failing the whole task.
 */
export function bindDimensions(config: ParsedLabelConfig, specs: readonly DimensionSpec[]): BoundDimension[] {
  const controls = new Map(config.controls.map((c) => [c.name, c]));
  const out: BoundDimension[] = [];
  for (const spec of specs) {
    const control = controls.get(spec.controlName);
    if (!control) continue;
    let metric: BoundMetric | undefined;
    try {
      metric = resolveMetric(
        control,
        { metric: spec.metric, params: spec.params },
        { labelWeights: spec.labelWeights ?? {} },
      );
    } catch (error) {
      if (isAppError(error)) continue;
      throw error;
    }
    if (!metric) continue;
    out.push({
      id: spec.id,
      controlName: spec.controlName,
      weight: spec.weight,
      isActive: spec.isActive,
      metric,
    });
  }
  return out;
}

export type Matrix = (number | null)[][];

export interface MatrixResult {
  readonly matrix: Matrix;
  /** Mean over unordered pairs with a value; 1 for a single participant (evalme); null otherwise. */
  readonly taskAgreement: number | null;
}

export interface TaskMatrices {
  readonly participants: string[];
  /** Weighted over the active dimensions (evalme `Metrics.apply` per pair). */
  readonly overall: MatrixResult;
  /** Every bound dimension, active or not, by dimension id. */
  readonly byDimension: ReadonlyMap<number, MatrixResult>;
}

const square = (n: number): Matrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : null)));

function summarise(matrix: Matrix): MatrixResult {
  const n = matrix.length;
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = matrix[i]![j];
      if (v === null || v === undefined) continue;
      sum += v;
      pairs++;
    }
  }
  return { matrix, taskAgreement: n === 1 ? 1 : pairs > 0 ? sum / pairs : null };
}

function setPair(m: Matrix, i: number, j: number, value: number | null) {
  m[i]![j] = value;
  m[j]![i] = value;
}

/**
 * Computes the overall matrix and one matrix per dimension for the given participants (ids such as
 * `annotator:4` or `model:v1`, in the order the matrices use). Pair rules: per dimension null when
 * neither used the control, 0 when one did; overall Σ w·s / Σ w over the active dimensions either
 * side used, 1 when both results are empty, null when nothing weighted was used.
 */
export function computeTaskMatrices(
  dimensions: readonly BoundDimension[],
  participants: readonly { id: string; result: readonly unknown[] }[],
): TaskMatrices {
  const prepared: PreparedResult[] = participants.map((p) => prepareResult(p.result));
  const n = prepared.length;
  const overall = square(n);
  const per = new Map(dimensions.map((d) => [d.id, square(n)]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = prepared[i]!;
      const b = prepared[j]!;
      let weighted = 0;
      let total = 0;
      for (const d of dimensions) {
        const s = dimensionScore(a, b, { name: d.controlName, weight: d.weight, metric: d.metric });
        setPair(per.get(d.id)!, i, j, s === null ? null : clip01(s));
        if (s === null || !d.isActive || !(d.weight > 0)) continue;
        weighted += d.weight * s;
        total += d.weight;
      }
      const value = a.isEmpty && b.isEmpty ? 1 : total > 0 ? clip01(weighted / total) : null;
      setPair(overall, i, j, value);
    }
  }
  return {
    participants: participants.map((p) => p.id),
    overall: summarise(overall),
    byDimension: new Map([...per].map(([id, m]) => [id, summarise(m)])),
  };
}
