import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { fsmStateHistory } from "../../db/schema/index.js";
import { uuidv7 } from "../../lib/uuidv7.js";
import {
  deriveAnnotationState,
  deriveAnnotatorState,
  deriveAssignmentState,
  deriveTaskState,
  deriveWorkflowState,
} from "./backfill-rules.js";
import { ENTITY_STORAGE } from "./entities.js";
import type { FsmEntity } from "./machines.js";

/** The phases of a backfill: a project job walks its workflow's entities, the organization job its annotators. */
export const PROJECT_PHASES: FsmEntity[] = ["workflow", "assignment", "task", "annotation"];
export const ORGANIZATION_PHASES: FsmEntity[] = ["annotator"];

export interface Scope {
  organizationId: number;
  /** The workflow of a project job; null for the organization job. */
  projectId: number | null;
}

interface Scanned {
  id: number;
  stored: string;
  derived: string;
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const n = (value: unknown) => Number(value ?? 0);

/**
 * Loads the next batch of one phase after `afterId`, rows locked (FOR UPDATE) so a live transition
 * cannot slip between the derivation and the write, and derives each entity's state.
 */
async function loadBatch(
  tx: Db,
  phase: FsmEntity,
  scope: Scope,
  afterId: number,
  limit: number,
): Promise<Scanned[]> {
  const { organizationId: org, projectId: project } = scope;
  switch (phase) {
    case "workflow": {
      const rows = rowsOf<{ id: number; state: string; assignments: unknown }>(
        await tx.execute(sql`select w.id, w.state,
            (select count(*) from assignments a where a.workflow_id = w.id) as assignments
          from workflows w where w.organization_id = ${org} and w.id = ${project} and w.id > ${afterId}
          for update of w`),
      );
      return rows.map((r) => ({
        id: n(r.id),
        stored: r.state,
        derived: deriveWorkflowState(r.state, { assignmentCount: n(r.assignments) }),
      }));
    }
    case "assignment": {
      const rows = rowsOf<{
        id: number;
        status: string;
        task_count: number;
        completed_count: number;
        ls: unknown;
      }>(
        await tx.execute(sql`select a.id, a.status, a.task_count, a.completed_count, a.ls_project_id as ls
          from assignments a where a.organization_id = ${org} and a.workflow_id = ${project} and a.id > ${afterId}
          order by a.id limit ${limit} for update of a`),
      );
      return rows.map((r) => ({
        id: n(r.id),
        stored: r.status,
        derived: deriveAssignmentState(r.status, {
          taskCount: n(r.task_count),
          completedCount: n(r.completed_count),
          isDelivered: r.ls !== null,
        }),
      }));
    }
    case "task": {
      const rows = rowsOf<{ id: unknown; state: string; live: unknown; holds: unknown; required: unknown }>(
        await tx.execute(sql`select i.id, i.state,
            (select count(*) from annotations an
              where an.item_id = i.id and an.state <> 'DELETED' and not an.was_cancelled) as live,
            (select count(*) from assignment_tasks t join assignments a on a.id = t.assignment_id
              where t.item_id = i.id and not t.is_done and t.released_at is null and a.status in ('pending', 'in_progress')) as holds,
            (select w.annotations_per_item from workflows w where w.id = i.workflow_id) as required
          from items i where i.organization_id = ${org} and i.workflow_id = ${project} and i.id > ${afterId}
          order by i.id limit ${limit} for update of i`),
      );
      return rows.map((r) => ({
        id: n(r.id),
        stored: r.state,
        derived: deriveTaskState(r.state, {
          liveAnnotations: n(r.live),
          openHolds: n(r.holds),
          required: n(r.required),
        }),
      }));
    }
    case "annotation": {
      const rows = rowsOf<{ id: unknown; state: string }>(
        await tx.execute(sql`select an.id, an.state from annotations an
          where an.organization_id = ${org} and an.id > ${afterId}
            and an.item_id in (select i.id from items i where i.workflow_id = ${project})
          order by an.id limit ${limit} for update of an`),
      );
      return rows.map((r) => ({ id: n(r.id), stored: r.state, derived: deriveAnnotationState(r.state) }));
    }
    case "annotator": {
      const rows = rowsOf<{ id: unknown; status: string; container_id: unknown; last_error: unknown }>(
        await tx.execute(sql`select a.id, a.status, a.container_id, a.last_error from annotators a
          where a.organization_id = ${org} and a.id > ${afterId}
          order by a.id limit ${limit} for update of a`),
      );
      return rows.map((r) => ({
        id: n(r.id),
        stored: r.status,
        derived: deriveAnnotatorState(r.status, {
          hasContainer: r.container_id !== null,
          hasError: r.last_error !== null,
        }),
      }));
    }
  }
}

export interface BatchResult {
  scanned: number;
  recorded: number;
  corrected: number;
  /** The last id of the batch; null when the phase has nothing left. */
  lastId: number | null;
}

/**
 * Backfills one batch of one phase inside `tx`: entities without history get a `backfill` row with
 * their derived state; entities whose stored state disagrees with the data are corrected (guarded
 * update) and get a `backfill` row from the stored state. Re-running finds nothing to do (idempotent).
 */
export async function backfillBatch(
  tx: Db,
  phase: FsmEntity,
  scope: Scope,
  afterId: number,
  limit: number,
  context: Record<string, unknown>,
): Promise<BatchResult> {
  const batch = await loadBatch(tx, phase, scope, afterId, limit);
  if (batch.length === 0) return { scanned: 0, recorded: 0, corrected: 0, lastId: null };
  const withHistory = new Set(
    (
      await tx
        .selectDistinct({ entityId: fsmStateHistory.entityId })
        .from(fsmStateHistory)
        .where(
          and(
            eq(fsmStateHistory.organizationId, scope.organizationId),
            eq(fsmStateHistory.entityName, phase),
            inArray(
              fsmStateHistory.entityId,
              batch.map((e) => String(e.id)),
            ),
          ),
        )
    ).map((r) => r.entityId),
  );
  const { table, column } = ENTITY_STORAGE[phase];
  const rows: (typeof fsmStateHistory.$inferInsert)[] = [];
  let corrected = 0;
  for (const entity of batch) {
    const disagrees = entity.derived !== entity.stored;
    if (disagrees) {
      // The rows are locked by loadBatch, so the guard only protects against a changed stored value.
      await tx.execute(sql`update ${sql.identifier(table)} set ${sql.identifier(column)} = ${entity.derived},
        updated_at = now() where id = ${entity.id} and ${sql.identifier(column)} = ${entity.stored}`);
      corrected++;
    }
    if (disagrees || !withHistory.has(String(entity.id))) {
      rows.push({
        id: uuidv7(),
        organizationId: scope.organizationId,
        entityName: phase,
        entityId: String(entity.id),
        state: entity.derived,
        previousState: disagrees ? entity.stored : null,
        transitionName: "backfill",
        triggeredById: null,
        reason: disagrees
          ? `State backfill: stored ${entity.stored} disagreed with the data`
          : "State backfill: initial state derived from the data",
        contextData: context,
      });
    }
  }
  if (rows.length > 0) await tx.insert(fsmStateHistory).values(rows);
  return { scanned: batch.length, recorded: rows.length, corrected, lastId: batch[batch.length - 1]!.id };
}
