import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { agreementMatrices, annotations, annotators, items } from "../../db/schema/index.js";
import { AppError } from "../../lib/app-error.js";
import type { DimensionService } from "./dimensions.service.js";
import { OVERALL } from "./matrices.repo.js";
import type { MatrixService } from "./matrices.service.js";
import { isSelected, type Selection } from "./selection.js";
import type { Matrix } from "./task-matrix.js";

/** LS's expanded participant: an annotator (as an LS user) or a model version. */
export type ParticipantUser =
  | {
      id: number;
      email: string;
      username: string;
      first_name: string;
      last_name: string;
      initials: string;
      avatar: null;
    }
  | { id: string | number; username: string; annotator_id?: number | null };

/** Splits an annotator's display name the way LS keeps users: first name, last name, initials. */
export function annotatorUser(row: { id: number; name: string; email: string }): ParticipantUser {
  const [first = "", ...rest] = row.name.trim().split(/\s+/);
  const last = rest.join(" ");
  const initials = `${first.charAt(0)}${last.charAt(0)}`.toUpperCase() || row.email.charAt(0).toUpperCase();
  return {
    id: row.id,
    email: row.email,
    username: row.email.split("@")[0] ?? row.email,
    first_name: first,
    last_name: last,
    initials,
    avatar: null,
  };
}

export const modelUser = (version: string): ParticipantUser => ({
  id: `model:${version}`,
  username: `Model ${version}`,
});

export const GROUND_TRUTH_ID = "ground_truth";

/**
 * The task agreement matrix endpoint (reference §2): the stored matrix of a task (overall, or one
 * dimension), cut down to the selected participants, with the participants expanded as LS users.
 */
export function createMatrixViewService(deps: {
  db: Db;
  dimensions: DimensionService;
  matrices: MatrixService;
}) {
  const { db, dimensions, matrices } = deps;

  async function loadMatrix(
    organizationId: number,
    item: { id: number; workflowId: number; kind: string },
    key: string,
  ): Promise<{ participants: string[]; matrix: Matrix }> {
    const [stored] = await db
      .select({ participants: agreementMatrices.participants, matrix: agreementMatrices.matrix })
      .from(agreementMatrices)
      .where(and(eq(agreementMatrices.itemId, item.id), eq(agreementMatrices.dimension, key)));
    if (stored) return stored;
    if (item.kind === "gold") return { participants: [], matrix: [] };
    // Not computed yet (the recompute job is queued): compute from the current data, store nothing.
    const computed = await matrices.computeNow(organizationId, item.workflowId, item.id);
    const result = key === OVERALL ? computed.overall : computed.byDimension.get(Number(key));
    const n = computed.participants.length;
    return {
      participants: computed.participants,
      matrix:
        result?.matrix ??
        Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : null))),
    };
  }

  async function expandUsers(organizationId: number, participants: string[]) {
    const ids = participants.filter((p) => p.startsWith("annotator:")).map((p) => Number(p.slice(10)));
    const rows =
      ids.length === 0
        ? []
        : await db
            .select({ id: annotators.id, name: annotators.name, email: annotators.email })
            .from(annotators)
            .where(and(eq(annotators.organizationId, organizationId), inArray(annotators.id, ids)));
    const byId = new Map(rows.map((r) => [r.id, annotatorUser(r)]));
    return participants.map(
      (p): ParticipantUser =>
        p.startsWith("model:")
          ? modelUser(p.slice(6))
          : (byId.get(Number(p.slice(10))) ?? {
              id: Number(p.slice(10)),
              username: `annotator ${p.slice(10)}`,
            }),
    );
  }

  async function requireKnownAnnotators(organizationId: number, ids: number[]) {
    if (ids.length === 0) return;
    const rows = await db
      .select({ id: annotators.id })
      .from(annotators)
      .where(and(eq(annotators.organizationId, organizationId), inArray(annotators.id, ids)));
    const known = new Set(rows.map((r) => r.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new AppError(
        "BAD_REQUEST",
        `Invalid selection: unknown annotator id(s) ${unknown.join(", ")}`,
        unknown.map((id) => ({
          path: ["selection", "annotators", "ids"],
          message: `Unknown annotator ${id}`,
        })),
      );
    }
  }

  return {
    /**
     * The matrix of one task: `dimension` (an id of the project's dimensions, else 400) or the overall
     * matrix over the active dimensions. With `ground_truth`, each selected participant is compared with
     * the task's ground truth (its latest ACCEPTED annotation), appended as the last participant; pairs
     * of two selected participants are then null.
     */
    async get(
      organizationId: number,
      projectId: number,
      taskId: number,
      options: { dimension?: number | undefined; selection: Selection },
    ) {
      const { rows } = await dimensions.rows(organizationId, projectId);
      const [item] = await db
        .select({ id: items.id, workflowId: items.workflowId, kind: items.kind })
        .from(items)
        .where(
          and(
            eq(items.organizationId, organizationId),
            eq(items.workflowId, projectId),
            eq(items.id, taskId),
          ),
        );
      if (!item) throw new AppError("NOT_FOUND", `Task ${taskId} not found in project ${projectId}`);
      if (options.dimension !== undefined && !rows.some((d) => d.id === options.dimension)) {
        throw new AppError("BAD_REQUEST", `Unknown dimension ${options.dimension} for project ${projectId}`, [
          { path: ["dimension"], message: "Not a dimension of this project" },
        ]);
      }
      const { selection } = options;
      await requireKnownAnnotators(organizationId, selection.annotators.ids);
      const key = options.dimension === undefined ? OVERALL : String(options.dimension);
      const full = await loadMatrix(organizationId, item, key);
      const picked = full.participants
        .map((p, i) => [p, i] as const)
        .filter(([p]) => isSelected(selection, p));
      const cell = (i: number, j: number) => (i === j ? 1 : (full.matrix[i]?.[j] ?? null));
      if (!selection.groundTruth) {
        return {
          matrix: picked.map(([, i]) => picked.map(([, j]) => cell(i, j))),
          users: await expandUsers(
            organizationId,
            picked.map(([p]) => p),
          ),
        };
      }
      const [truth] = await db
        .select({ annotatorId: annotations.annotatorId })
        .from(annotations)
        .where(and(eq(annotations.itemId, item.id), eq(annotations.state, "ACCEPTED")))
        .orderBy(desc(annotations.id))
        .limit(1);
      const truthIndex = truth ? full.participants.indexOf(`annotator:${truth.annotatorId}`) : -1;
      const k = picked.length;
      const matrix: Matrix = Array.from({ length: k + 1 }, (_, i) =>
        Array.from({ length: k + 1 }, (_, j) => (i === j ? 1 : null)),
      );
      picked.forEach(([, i], row) => {
        const value = truthIndex < 0 ? null : cell(i, truthIndex);
        matrix[row]![k] = value;
        matrix[k]![row] = value;
      });
      const users = await expandUsers(
        organizationId,
        picked.map(([p]) => p),
      );
      users.push({ id: GROUND_TRUTH_ID, username: "Ground truth", annotator_id: truth?.annotatorId ?? null });
      return { matrix, users };
    },
  };
}
export type MatrixViewService = ReturnType<typeof createMatrixViewService>;

/** CSV of a matrix: a header of participant labels, then one row per participant; null is empty. */
export function matrixCsv(labels: readonly string[], matrix: Matrix): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [["", ...labels].map(quote).join(",")];
  matrix.forEach((row, i) => {
    lines.push([quote(labels[i] ?? ""), ...row.map((v) => (v === null ? "" : String(v)))].join(","));
  });
  return `${lines.join("\n")}\n`;
}
