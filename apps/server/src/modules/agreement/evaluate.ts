/**
 * Agreement of one task: the pairwise matrix of its participants (annotations and predictions), one
 * matrix per dimension, and the task score. Pure; reference `reference/agreement-metrics.md` §1.
 */
import { z } from "zod";
import {
  MAX_LABEL_CONFIG_CHARS,
  type ParsedLabelConfig,
  parseLabelConfig,
} from "../../labelstudio/label-config.js";
import { AppError } from "../../lib/app-error.js";
import { type PairDimension, prepareResult, scorePair } from "./metrics/pair.js";
import { resolveMetric } from "./metrics/registry.js";

/** Configuration of one dimension (a control of the label config); every field is optional. */
export const DimensionConfig = z.strictObject({
  metric: z.string().min(1).max(64).optional().describe("Metric id; default: the control type's default"),
  params: z.record(z.string(), z.unknown()).optional().describe("Metric parameters"),
  weight: z
    .number()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe("Overall weight (default 1; 0 = not in overall)"),
  labelWeights: z.record(z.string(), z.number().min(0).max(1_000_000)).optional().describe("Label → weight"),
  active: z.boolean().optional().describe("false removes the dimension (default true)"),
});
export type DimensionConfig = z.infer<typeof DimensionConfig>;

export const Participant = z.object({
  id: z.string().min(1).max(200),
  kind: z.enum(["annotation", "prediction"]),
  result: z
    .array(z.record(z.string(), z.unknown()))
    .max(10_000)
    .describe("The LS `result` list of the annotation or prediction"),
});
export type Participant = z.infer<typeof Participant>;

/** Body of `POST /api/agreement/evaluate` and stdin of `labelfleet agreement evaluate`. */
export const EvaluateAgreementRequest = z
  .object({
    labelConfig: z.string().min(1).max(MAX_LABEL_CONFIG_CHARS).describe("Label Studio labeling config (XML)"),
    participants: z.array(Participant).max(100),
    dimensions: z.record(z.string(), DimensionConfig).optional().describe("Control name → dimension config"),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.participants.forEach((p, i) => {
      if (seen.has(p.id)) {
        ctx.addIssue({ code: "custom", path: ["participants", i, "id"], message: `Duplicate id "${p.id}"` });
      }
      seen.add(p.id);
    });
  });
export type EvaluateAgreementRequest = z.infer<typeof EvaluateAgreementRequest>;

const Matrix = z.array(z.array(z.number().min(0).max(1).nullable()));

export const EvaluateAgreementResponse = z.object({
  participants: z.array(z.string()).describe("Participant ids, in matrix order"),
  matrix: Matrix.describe("Overall pair scores; 1 on the diagonal; null where nothing is comparable"),
  dimensions: z
    .record(z.string(), z.object({ metric: z.string(), matrix: Matrix }))
    .describe("Per active dimension: metric id and pair scores (null where neither participant used it)"),
  taskAgreement: z.number().min(0).max(1).nullable().describe("Mean over unordered pairs with a value"),
});
export type EvaluateAgreementResponse = z.infer<typeof EvaluateAgreementResponse>;

export interface EvaluateAgreementInput {
  labelConfig: ParsedLabelConfig;
  participants: readonly { id: string; kind: "annotation" | "prediction"; result: readonly unknown[] }[];
  dimensions?: Readonly<Record<string, DimensionConfig>>;
}

interface ResolvedDimension extends PairDimension {
  readonly metricId: string;
}

/** One dimension per active control that has a metric; configuration errors become BAD_REQUEST. */
function resolveDimensions(input: EvaluateAgreementInput): ResolvedDimension[] {
  const configs = input.dimensions ?? {};
  const names = new Set(input.labelConfig.controls.map((c) => c.name));
  const unknown = Object.keys(configs).filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new AppError(
      "BAD_REQUEST",
      `Unknown dimension${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`,
      unknown.map((name) => ({ path: ["dimensions", name], message: "Not a control of the label config" })),
    );
  }
  const out: ResolvedDimension[] = [];
  for (const control of input.labelConfig.controls) {
    const config = configs[control.name] ?? {};
    if (config.active === false) continue;
    const metric = resolveMetric(control, config, { labelWeights: config.labelWeights ?? {} });
    if (!metric) continue;
    out.push({ name: control.name, weight: config.weight ?? 1, metric, metricId: metric.id });
  }
  return out;
}

const square = (n: number): (number | null)[][] =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : null)));

/**
 * Evaluates agreement between every pair of participants. Dimensions are the controls of the label
 * config (evalme `Metrics.apply` per pair, then the pairwise average). Predictions are scored exactly
 * like annotations. `taskAgreement`: 1 for a single participant (evalme), null without participants
 * or when no pair has a value.
 */
export function evaluateAgreement(input: EvaluateAgreementInput): EvaluateAgreementResponse {
  const dimensions = resolveDimensions(input);
  const ids = input.participants.map((p) => p.id);
  if (new Set(ids).size !== ids.length) {
    throw new AppError("BAD_REQUEST", "Participant ids must be unique");
  }
  const prepared = input.participants.map((p) => prepareResult(p.result));
  const n = prepared.length;
  const matrix = square(n);
  const perDimension = new Map(dimensions.map((d) => [d.name, square(n)]));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const score = scorePair(prepared[i]!, prepared[j]!, dimensions);
      (matrix[i] as (number | null)[])[j] = score.overall;
      (matrix[j] as (number | null)[])[i] = score.overall;
      if (score.overall !== null) {
        sum += score.overall;
        pairs++;
      }
      for (const [name, value] of score.dimensions) {
        const m = perDimension.get(name)!;
        (m[i] as (number | null)[])[j] = value;
        (m[j] as (number | null)[])[i] = value;
      }
    }
  }
  return {
    participants: ids,
    matrix,
    dimensions: Object.fromEntries(
      dimensions.map((d) => [d.name, { metric: d.metricId, matrix: perDimension.get(d.name)! }]),
    ),
    taskAgreement: n === 1 ? 1 : pairs > 0 ? sum / pairs : null,
  };
}

/**
 * Evaluates a validated request body: parses the XML label config (issues → BAD_REQUEST) and calls
 * `evaluateAgreement`. Shared by the HTTP route and the CLI.
 */
export function evaluateFromRequest(request: EvaluateAgreementRequest): EvaluateAgreementResponse {
  const parsed = parseLabelConfig(request.labelConfig);
  if (!parsed.ok) {
    throw new AppError(
      "BAD_REQUEST",
      "Invalid labelConfig",
      parsed.issues.map((message) => ({ path: ["labelConfig"], message })),
    );
  }
  return evaluateAgreement({ ...request, labelConfig: parsed.config });
}
