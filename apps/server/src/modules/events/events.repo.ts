import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import type { Page } from "../../http/pagination.js";

export const EVENT_TYPES = ["container", "annotation"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventFilters {
  type?: EventType | undefined;
  annotatorId?: number | undefined;
}

export interface EventView {
  id: number;
  type: EventType;
  annotatorId: number | null;
  eventType: string;
  createdAt: Date;
  /** Container events. */
  message: string | null;
  details: Record<string, unknown> | null;
  /** Annotation events. */
  assignmentId: number | null;
  lsProjectId: number | null;
  lsTaskId: number | null;
  lsAnnotationId: number | null;
  timeSpentMs: number | null;
}

interface Row {
  id: number | string;
  type: EventType;
  annotator_id: number | null;
  event_type: string;
  created_at: string | Date;
  message: string | null;
  details: Record<string, unknown> | string | null;
  assignment_id: number | null;
  ls_project_id: number | null;
  ls_task_id: number | null;
  ls_annotation_id: number | null;
  time_spent_ms: number | string | null;
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const num = (v: number | string | null) => (v === null ? null : Number(v));

/**
 * The unified audit log (spec: Events): container lifecycle and annotation events merged, newest
 * first (ties broken by type and id, so pages are stable), scoped to one organization.
 */
export function createEventsRepo(db: Db) {
  function selects(organizationId: number, filters: EventFilters): SQL[] {
    const byAnnotator =
      filters.annotatorId === undefined ? sql`` : sql` and annotator_id = ${filters.annotatorId}`;
    const parts: SQL[] = [];
    if (filters.type !== "annotation") {
      parts.push(sql`select id::bigint as id, 'container' as type, annotator_id, event_type, created_at, message,
          details, null::int as assignment_id, null::int as ls_project_id, null::int as ls_task_id,
          null::int as ls_annotation_id, null::real as time_spent_ms
        from container_events where organization_id = ${organizationId}${byAnnotator}`);
    }
    if (filters.type !== "container") {
      parts.push(sql`select id, 'annotation' as type, annotator_id, event_type, created_at, null::text as message,
          null::jsonb as details, assignment_id, ls_project_id, ls_task_id, ls_annotation_id, time_spent_ms
        from annotation_events where organization_id = ${organizationId}${byAnnotator}`);
    }
    return parts;
  }

  return {
    async list(organizationId: number, filters: EventFilters, page: Page) {
      const union = sql.join(selects(organizationId, filters), sql` union all `);
      const rows = rowsOf<Row>(
        await db.execute(sql`select * from (${union}) e
          order by created_at desc, type, id desc limit ${page.limit} offset ${page.offset}`),
      );
      const [count] = rowsOf<{ n: number | string }>(
        await db.execute(sql`select count(*) as n from (${union}) e`),
      );
      const data: EventView[] = rows.map((r) => ({
        id: Number(r.id),
        type: r.type,
        annotatorId: r.annotator_id,
        eventType: r.event_type,
        createdAt: new Date(r.created_at),
        message: r.message,
        details:
          typeof r.details === "string" ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
        assignmentId: r.assignment_id,
        lsProjectId: r.ls_project_id,
        lsTaskId: r.ls_task_id,
        lsAnnotationId: r.ls_annotation_id,
        timeSpentMs: num(r.time_spent_ms),
      }));
      return { rows: data, total: Number(count?.n ?? 0) };
    },
  };
}
export type EventsRepo = ReturnType<typeof createEventsRepo>;
