import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { agreementMatrices, annotations, annotators, items } from "../../db/schema/index.js";
import { countTable, fleissKappa, krippendorffAlpha, type Unit } from "./coefficients.js";
import type { DimensionService } from "./dimensions.service.js";
import { OVERALL } from "./matrices.repo.js";
import { annotatorUser } from "./matrix-view.service.js";
import type { Matrix } from "./task-matrix.js";

/** Control kinds whose results are one classification value per annotator: chance-corrected coefficients. */
const NOMINAL_KINDS = new Set(["choices", "rating", "number", "pairwise", "taxonomy"]);
const INTERVAL_KINDS = new Set(["rating", "number"]);
const BATCH = 5000;
const BUCKETS = 10;

/** The classification value of one control in a result list, as a nominal key (or a number). */
export function classificationValue(
  result: readonly unknown[],
  control: string,
  kind: string,
): string | number | null {
  const item = result.find(
    (r): r is { from_name: string; value: Record<string, unknown> } =>
      typeof r === "object" && r !== null && (r as { from_name?: unknown }).from_name === control,
  );
  const value = item?.value;
  if (!value || typeof value !== "object") return null;
  switch (kind) {
    case "choices": {
      const choices = value.choices;
      return Array.isArray(choices) && choices.length > 0 ? [...choices].map(String).sort().join("|") : null;
    }
    case "rating":
    case "number": {
      const x = Number(value[kind]);
      return value[kind] !== undefined && value[kind] !== null && Number.isFinite(x) ? x : null;
    }
    case "pairwise":
      return typeof value.selected === "string" ? value.selected : null;
    case "taxonomy":
      return Array.isArray(value.taxonomy) && value.taxonomy.length > 0
        ? JSON.stringify(value.taxonomy)
        : null;
    default:
      return null;
  }
}

interface PairAccumulator {
  sum: number;
  count: number;
}

/**
 * The workflow agreement summary ("beyond Enterprise"): mean task agreement overall and per
 * dimension, per-annotator mean agreement, a histogram of task agreement, an annotator × annotator
 * matrix over shared tasks, and Krippendorff's alpha / Fleiss' kappa for classification dimensions.
 * Only tasks with at least two participants count (LS's data-quality distribution does the same).
 */
export function createSummaryService({ db, dimensions }: { db: Db; dimensions: DimensionService }) {
  /** Walks the stored overall matrices of a workflow in item-id batches. */
  async function* overallMatrices(workflowId: number) {
    let after = 0;
    for (;;) {
      const rows = await db
        .select({
          itemId: agreementMatrices.itemId,
          participants: agreementMatrices.participants,
          matrix: agreementMatrices.matrix,
        })
        .from(agreementMatrices)
        .where(
          and(
            eq(agreementMatrices.workflowId, workflowId),
            eq(agreementMatrices.dimension, OVERALL),
            gt(agreementMatrices.itemId, after),
          ),
        )
        .orderBy(asc(agreementMatrices.itemId))
        .limit(BATCH);
      if (rows.length === 0) return;
      yield* rows;
      after = rows[rows.length - 1]!.itemId;
    }
  }

  /** Annotator × annotator (and model) mean pair scores over shared tasks. */
  async function pairMeans(workflowId: number) {
    const pairs = new Map<string, Map<string, PairAccumulator>>();
    const tasks = new Map<string, number>();
    for await (const row of overallMatrices(workflowId)) {
      const { participants, matrix } = row as { participants: string[]; matrix: Matrix };
      if (participants.length < 2) continue;
      participants.forEach((p, i) => {
        tasks.set(p, (tasks.get(p) ?? 0) + 1);
        const own = pairs.get(p) ?? new Map<string, PairAccumulator>();
        pairs.set(p, own);
        participants.forEach((q, j) => {
          const v = matrix[i]?.[j];
          if (i === j || v === null || v === undefined) return;
          const acc = own.get(q) ?? { sum: 0, count: 0 };
          acc.sum += v;
          acc.count++;
          own.set(q, acc);
        });
      });
    }
    const participants = [...pairs.keys()].sort((a, b) => {
      const ka = a.startsWith("model:") ? 1 : 0;
      const kb = b.startsWith("model:") ? 1 : 0;
      return ka - kb || (ka ? a.localeCompare(b) : Number(a.slice(10)) - Number(b.slice(10)));
    });
    return { pairs, tasks, participants };
  }

  async function labels(organizationId: number, participants: string[]) {
    const ids = participants.filter((p) => p.startsWith("annotator:")).map((p) => Number(p.slice(10)));
    const rows =
      ids.length === 0
        ? []
        : await db
            .select({ id: annotators.id, name: annotators.name, email: annotators.email })
            .from(annotators)
            .where(and(eq(annotators.organizationId, organizationId), inArray(annotators.id, ids)));
    return new Map(rows.map((r) => [`annotator:${r.id}`, r]));
  }

  /** Per dimension of a classification kind: the units (tasks) of annotator values. */
  async function classificationUnits(
    workflowId: number,
    dims: { key: string; control: string; kind: string }[],
  ) {
    const units = new Map<string, Unit<string | number>[]>(dims.map((d) => [d.key, []]));
    if (dims.length === 0) return units;
    let after = 0;
    for (;;) {
      const ids = (
        await db
          .select({ id: items.id })
          .from(items)
          .where(and(eq(items.workflowId, workflowId), gt(items.id, after), sql`${items.kind} <> 'gold'`))
          .orderBy(asc(items.id))
          .limit(BATCH)
      ).map((r) => r.id);
      if (ids.length === 0) break;
      after = ids[ids.length - 1]!;
      const rows = await db
        .selectDistinctOn([annotations.itemId, annotations.annotatorId], {
          itemId: annotations.itemId,
          result: annotations.result,
        })
        .from(annotations)
        .where(
          and(
            inArray(annotations.itemId, ids),
            sql`${annotations.state} <> 'DELETED'`,
            eq(annotations.wasCancelled, false),
          ),
        )
        .orderBy(annotations.itemId, annotations.annotatorId, sql`${annotations.id} desc`);
      const byItem = new Map<number, unknown[][]>();
      for (const r of rows) {
        const list = byItem.get(r.itemId);
        if (list) list.push(r.result);
        else byItem.set(r.itemId, [r.result]);
      }
      for (const results of byItem.values()) {
        for (const d of dims) {
          units.get(d.key)!.push(results.map((res) => classificationValue(res, d.control, d.kind)));
        }
      }
    }
    return units;
  }

  return {
    /** The summary of one workflow (404 outside the organization). */
    async summary(organizationId: number, projectId: number) {
      const { rows: dims } = await dimensions.rows(organizationId, projectId);
      const stats = (await db.execute(sql`
        select m.dimension, avg(m.task_agreement) as mean, count(*) as tasks
        from agreement_matrices m
        where m.workflow_id = ${projectId} and jsonb_array_length(m.participants) >= 2
          and m.task_agreement is not null
        group by m.dimension`)) as unknown as {
        rows: { dimension: string; mean: number | string; tasks: number | string }[];
      };
      const byDimension = new Map(
        stats.rows.map((r) => [r.dimension, { mean: Number(r.mean), tasks: Number(r.tasks) }]),
      );
      const histogramRows = (await db.execute(sql`
        select least(floor(m.task_agreement * ${BUCKETS}), ${BUCKETS - 1})::int as bucket, count(*) as n
        from agreement_matrices m
        where m.workflow_id = ${projectId} and m.dimension = '' and jsonb_array_length(m.participants) >= 2
          and m.task_agreement is not null
        group by 1`)) as unknown as { rows: { bucket: number; n: number | string }[] };
      const histogram = Array.from({ length: BUCKETS }, (_, b) => ({
        from: b / BUCKETS,
        to: (b + 1) / BUCKETS,
        count: Number(histogramRows.rows.find((r) => Number(r.bucket) === b)?.n ?? 0),
      }));
      const { pairs, tasks, participants } = await pairMeans(projectId);
      const people = await labels(organizationId, participants);
      const mean = (p: string, filter: (q: string) => boolean) => {
        let sum = 0;
        let count = 0;
        for (const [q, acc] of pairs.get(p) ?? []) {
          if (!filter(q)) continue;
          sum += acc.sum;
          count += acc.count;
        }
        return { mean_agreement: count > 0 ? sum / count : null, pairs: count, tasks: tasks.get(p) ?? 0 };
      };
      const isAnnotator = (q: string) => q.startsWith("annotator:");
      const classification = dims
        .filter((d) => NOMINAL_KINDS.has(d.controlType))
        .map((d) => ({ key: String(d.id), control: d.controlName, kind: d.controlType }));
      const units = await classificationUnits(projectId, classification);
      const overall = byDimension.get(OVERALL);
      return {
        project_id: projectId,
        overall: { mean_agreement: overall?.mean ?? null, tasks: overall?.tasks ?? 0 },
        dimensions: dims.map((d) => {
          const s = byDimension.get(String(d.id));
          const u = units.get(String(d.id));
          const table = u ? countTable(u) : null;
          return {
            id: d.id,
            name: d.name,
            control_name: d.controlName,
            metric_type: d.metric,
            is_active: d.isActive,
            mean_agreement: s?.mean ?? null,
            tasks: s?.tasks ?? 0,
            coefficients: u
              ? {
                  krippendorff_alpha_nominal: krippendorffAlpha(u, "nominal").alpha,
                  krippendorff_alpha_interval: INTERVAL_KINDS.has(d.controlType)
                    ? krippendorffAlpha(u, "interval").alpha
                    : null,
                  fleiss_kappa: table ? fleissKappa(table).kappa : null,
                  units: krippendorffAlpha(u, "nominal").units,
                }
              : null,
          };
        }),
        annotators: participants.filter(isAnnotator).map((p) => {
          const person = people.get(p);
          return {
            id: Number(p.slice(10)),
            name: person?.name ?? null,
            email: person?.email ?? null,
            ...mean(p, isAnnotator),
          };
        }),
        models: participants
          .filter((p) => p.startsWith("model:"))
          .map((p) => ({ id: p, ...mean(p, isAnnotator) })),
        histogram,
      };
    },

    /** Participant × participant mean agreement over the tasks both took part in, with pair counts. */
    async matrix(organizationId: number, projectId: number) {
      await dimensions.rows(organizationId, projectId);
      const { pairs, participants } = await pairMeans(projectId);
      const people = await labels(organizationId, participants);
      const cell = (p: string, q: string) => pairs.get(p)?.get(q);
      return {
        participants,
        users: participants.map((p) => {
          const person = people.get(p);
          if (person) return annotatorUser(person);
          return p.startsWith("model:") ? { id: p, username: `Model ${p.slice(6)}` } : { id: p, username: p };
        }),
        matrix: participants.map((p) =>
          participants.map((q) => {
            if (p === q) return 1;
            const acc = cell(p, q);
            return acc && acc.count > 0 ? acc.sum / acc.count : null;
          }),
        ),
        counts: participants.map((p) => participants.map((q) => (p === q ? 0 : (cell(p, q)?.count ?? 0)))),
      };
    },
  };
}
export type SummaryService = ReturnType<typeof createSummaryService>;
