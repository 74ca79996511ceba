import { and, asc, desc, eq, inArray, like, ne, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import {
  type AnnotatorStatus,
  annotators,
  assignments,
  containerEvents,
  roles,
} from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { isAppError } from "../../lib/app-error.js";
import { applyTransition } from "../fsm/transition.js";

export type AnnotatorRow = typeof annotators.$inferSelect;

const roleColumns = { id: roles.id, name: roles.name, color: roles.color };

export interface AnnotatorFilter {
  status?: AnnotatorStatus | undefined;
  roleId?: number | undefined;
}

/** Annotators of an organization; deleted ones only when asked for by status. */
function listWhere(organizationId: number, filter: AnnotatorFilter) {
  return and(
    eq(annotators.organizationId, organizationId),
    filter.status ? eq(annotators.status, filter.status) : ne(annotators.status, "deleted"),
    filter.roleId !== undefined ? eq(annotators.roleId, filter.roleId) : undefined,
  );
}

export async function listAnnotators(db: Db, organizationId: number, filter: AnnotatorFilter, page: Page) {
  const where = listWhere(organizationId, filter);
  const rows = await db
    .select({ annotator: annotators, role: roleColumns })
    .from(annotators)
    .leftJoin(roles, eq(roles.id, annotators.roleId))
    .where(where)
    .orderBy(asc(annotators.id))
    .limit(page.limit)
    .offset(page.offset);
  const [count] = await db.select({ n: sql<number>`count(*)` }).from(annotators).where(where);
  return { rows, total: Number(count?.n ?? 0) };
}

/** One live (not deleted) annotator of the organization, with its role; null when there is none. */
export async function findAnnotator(db: Db, organizationId: number, id: number) {
  const [row] = await db
    .select({ annotator: annotators, role: roleColumns })
    .from(annotators)
    .leftJoin(roles, eq(roles.id, annotators.roleId))
    .where(
      and(
        eq(annotators.organizationId, organizationId),
        eq(annotators.id, id),
        ne(annotators.status, "deleted"),
      ),
    );
  return row ?? null;
}

/** By id in any organization (jobs, instance callbacks); deleted rows included. */
export async function findAnnotatorRow(db: Db, id: number): Promise<AnnotatorRow | null> {
  const [row] = await db.select().from(annotators).where(eq(annotators.id, id));
  return row ?? null;
}

export async function annotatorRowsIn(db: Db, statuses: AnnotatorStatus[]): Promise<AnnotatorRow[]> {
  return db.select().from(annotators).where(inArray(annotators.status, statuses)).orderBy(asc(annotators.id));
}

export async function findAssignmentsOf(db: Db, annotatorId: number) {
  return db
    .select({
      id: assignments.id,
      workflowId: assignments.workflowId,
      status: assignments.status,
      lsProjectId: assignments.lsProjectId,
      taskCount: assignments.taskCount,
      goldTaskCount: assignments.goldTaskCount,
      completedCount: assignments.completedCount,
      startedAt: assignments.startedAt,
      completedAt: assignments.completedAt,
      createdAt: assignments.createdAt,
    })
    .from(assignments)
    .where(eq(assignments.annotatorId, annotatorId))
    .orderBy(desc(assignments.id));
}

/** Which of `emails` (lowercased) a live annotator of the organization already uses. */
export async function emailsInUse(db: Db, organizationId: number, emails: string[], exceptId?: number) {
  if (emails.length === 0) return [];
  const rows = await db
    .select({ email: sql<string>`lower(${annotators.email})` })
    .from(annotators)
    .where(
      and(
        eq(annotators.organizationId, organizationId),
        ne(annotators.status, "deleted"),
        inArray(sql`lower(${annotators.email})`, emails),
        exceptId !== undefined ? ne(annotators.id, exceptId) : undefined,
      ),
    );
  return rows.map((r) => r.email);
}

/** Subdomains in the fleet (all organizations: they share one domain) that start with one of `bases`. */
export async function subdomainsLike(db: Db, bases: string[]): Promise<Set<string>> {
  if (bases.length === 0) return new Set();
  const unique = [...new Set(bases)];
  const rows = await db
    .select({ subdomain: annotators.subdomain })
    .from(annotators)
    .where(or(...unique.map((base) => like(annotators.subdomain, `${base}%`))));
  return new Set(rows.map((r) => r.subdomain).filter((s): s is string => s !== null));
}

export async function roleExists(db: Db, organizationId: number, roleId: number) {
  const [row] = await db
    .select({ id: roles.id })
    .from(roles)
    .where(and(eq(roles.organizationId, organizationId), eq(roles.id, roleId)));
  return Boolean(row);
}

/** Updates non-status columns (the status column belongs to the FSM, see fsm/transition.ts). */
export async function updateAnnotator(
  db: Db,
  id: number,
  values: Partial<Omit<typeof annotators.$inferInsert, "id" | "status" | "organizationId">>,
) {
  await db
    .update(annotators)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(annotators.id, id));
}

export interface ContainerEventInput {
  organizationId: number;
  annotatorId: number;
  eventType: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Appends one lifecycle event to the audit log (`GET /api/events?type=container`). */
export async function recordContainerEvent(db: Db, event: ContainerEventInput) {
  await db.insert(containerEvents).values({ ...event, details: event.details ?? {} });
}

export async function containerEventsOf(db: Db, annotatorId: number) {
  return db
    .select()
    .from(containerEvents)
    .where(eq(containerEvents.annotatorId, annotatorId))
    .orderBy(asc(containerEvents.id));
}

/**
 * `fail` transition from `expectedState`, the reason kept as `lastError`, and a container event, in
 * one transaction. Returns false when the annotator moved meanwhile (stopped, deleted): a 409 from the
 * guarded transition is the expected outcome of that race, not an error.
 */
export async function failAnnotator(
  db: Db,
  row: { id: number; organizationId: number },
  input: { expectedState: string; reason: string; eventType: string; details?: Record<string, unknown> },
): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      await applyTransition(tx, {
        organizationId: row.organizationId,
        entity: "annotator",
        entityId: row.id,
        transition: "fail",
        expectedState: input.expectedState,
        reason: input.reason,
      });
      await updateAnnotator(tx, row.id, { lastError: input.reason });
      await recordContainerEvent(tx, {
        organizationId: row.organizationId,
        annotatorId: row.id,
        eventType: input.eventType,
        message: input.reason,
        ...(input.details ? { details: input.details } : {}),
      });
    });
    return true;
  } catch (error) {
    if (isAppError(error) && error.code === "CONFLICT") return false;
    throw error;
  }
}
