import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotationEvents, annotations, assignments, assignmentTasks } from "../../db/schema/index.js";

/** Stores an event once; returns false when its key was seen before (a duplicate webhook). */
export async function insertEventOnce(
  db: Db,
  values: typeof annotationEvents.$inferInsert,
): Promise<boolean> {
  const rows = await db
    .insert(annotationEvents)
    .values(values)
    .onConflictDoNothing()
    .returning({ id: annotationEvents.id });
  return rows.length > 0;
}

/** Undoes the task's "done" after its annotation was deleted in LS. */
export async function markTaskUndone(db: Db, assignmentId: number, itemId: number) {
  const changed = await db
    .update(assignmentTasks)
    .set({ isDone: false, completedAt: null })
    .where(
      and(
        eq(assignmentTasks.assignmentId, assignmentId),
        eq(assignmentTasks.itemId, itemId),
        eq(assignmentTasks.isDone, true),
      ),
    )
    .returning({ id: assignmentTasks.id });
  if (changed.length === 0) return;
  await db
    .update(assignments)
    .set({ completedCount: sql`greatest(${assignments.completedCount} - 1, 0)`, updatedAt: new Date() })
    .where(eq(assignments.id, assignmentId));
}

export async function findAnnotation(db: Db, annotatorId: number, lsAnnotationId: number) {
  const [row] = await db
    .select()
    .from(annotations)
    .where(and(eq(annotations.annotatorId, annotatorId), eq(annotations.lsAnnotationId, lsAnnotationId)));
  return row ?? null;
}
