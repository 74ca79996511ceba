import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HISTORY_ORDERINGS } from "../../modules/fsm/history.repo.js";
import type { Services } from "../../services.js";
import { type ApiApp, type AppEnv, principalOf, requireRole } from "../context.js";
import { defineRoute, errors, json, jsonBody } from "../openapi.js";

const tags = ["State machines"];

const EntityParams = z.object({
  entity_name: z
    .string()
    .max(50)
    .openapi({
      param: { name: "entity_name", in: "path" },
      description: "annotator, assignment, workflow (alias project), task (alias item) or annotation",
      example: "task",
    }),
  entity_id: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: "entity_id", in: "path" }, example: 1 }),
});

/** ISO 8601 date-time; one without a zone is read as UTC (LS documents YYYY-MM-DDTHH:MM:SS). */
const IsoDateTime = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value);
    const time = Date.parse(/T/.test(value) && !hasZone ? `${value}Z` : value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) {
      ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date-time" });
      return z.NEVER;
    }
    return new Date(time);
  });

const HistoryQuery = z.object({
  created_at_from: IsoDateTime.optional().describe("Rows created at or after (ISO 8601)"),
  created_at_to: IsoDateTime.optional().describe("Rows created at or before (ISO 8601)"),
  state: z.string().max(100).optional().describe("Exact state, case-insensitive"),
  previous_state: z.string().max(100).optional().describe("Exact previous state, case-insensitive"),
  transition_name: z.string().max(100).optional().describe("Exact transition name, case-insensitive"),
  triggered_by: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1)
    .optional()
    .describe("Member id"),
  ordering: z.enum(HISTORY_ORDERINGS).optional().describe("id, -id (default), created_at or -created_at"),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().describe("1-based page (default 1)"),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe("Rows per page (1-1000, default 100)"),
});

const StateRecord = z
  .object({
    id: z.string().describe("UUIDv7: ordering by id is ordering by time"),
    state: z.string(),
    previous_state: z.string().nullable(),
    transition_name: z.string().nullable(),
    triggered_by: z.object({ id: z.number(), email: z.string() }).nullable().describe("null for the system"),
    reason: z.string().nullable(),
    context_data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi("StateRecord");

const HistoryPage = z
  .object({
    count: z.number(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(StateRecord),
  })
  .openapi("StateHistoryPage");

const EntityState = z
  .object({
    entity_name: z.string(),
    entity_id: z.number(),
    state: z.string(),
    allowed_transitions: z.array(z.string()).describe("Manual transitions allowed from the current state"),
    available_transitions: z
      .array(z.object({ name: z.string(), target_state: z.string(), manual: z.boolean() }))
      .describe("Every transition (manual or automatic) allowed from the current state"),
    last_record: StateRecord.nullable(),
  })
  .openapi("EntityState");

const TransitionBody = z.object({
  transition_name: z.string().trim().min(1).max(100),
  transition_data: z
    .record(z.string(), z.unknown())
    .nullish()
    .refine(
      (v) => v === null || v === undefined || JSON.stringify(v).length <= 10_000,
      "at most 10,000 chars of JSON",
    )
    .describe("Free-form data, stored in the history row's context_data"),
  reason: z.string().max(1000).nullish().describe("Why; stored in the history row"),
  expected_state: z.string().max(100).optional().describe("409 unless the entity is in exactly this state"),
});

const TransitionResult = z
  .object({ success: z.literal(true), new_state: z.string(), state_record: StateRecord })
  .openapi("StateTransitionResult");

const ConflictBody = z
  .object({ error: z.string(), current_state: z.string(), allowed_transitions: z.array(z.string()) })
  .openapi("StateConflict");

const Id = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
const ProjectQuery = z.object({ project_id: Id.optional().describe("Workflow (project) id") });
const JobQuery = z.object({
  job_id: Id.optional().describe("Backfill job id"),
  project_id: Id.optional().describe("Workflow (project) id"),
});
const JobsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional().describe("Jobs per page (1-500, default 10)"),
  offset: z.coerce.number().int().min(0).optional().describe("Jobs to skip (default 0)"),
});

const BackfillJob = z
  .object({
    job_id: z.number(),
    project_id: z.number().nullable().describe("null: the organization-wide annotator scan"),
    status: z.string(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    error_message: z.string().nullable(),
    rq_job_id: z.string(),
    progress_data: z.record(z.string(), z.unknown()),
    cancel_requested: z.boolean(),
    triggered_by: z
      .object({ id: z.number(), email: z.string(), first_name: z.string(), last_name: z.string() })
      .nullable(),
  })
  .openapi("StateBackfillJob");

const TriggerResult = z
  .object({
    jobs: z.array(z.object({ job_id: z.number(), project_id: z.number().nullable(), rq_job_id: z.string() })),
    jobs_queued: z.number(),
    message: z.string(),
    organization_id: z.number(),
    projects_skipped: z.number(),
  })
  .openapi("StateBackfillResponse");

const JobList = z
  .object({
    jobs: z.array(BackfillJob),
    pagination: z.object({ total: z.number(), limit: z.number(), offset: z.number(), hasMore: z.boolean() }),
  })
  .openapi("StateBackfillJobList");

const OrgStatus = z.object({
  total_projects: z.number(),
  completed_projects: z.number(),
  failed_projects: z.number(),
  pending_projects: z.number(),
  running_projects: z.number(),
  total_entities_processed: z.number(),
});
const JobStatus = BackfillJob.extend({
  progress: z.record(z.string(), z.unknown()),
  rq_job_info: z.record(z.string(), z.unknown()).nullable(),
});
const StatusResult = z.union([z.object({ org_status: OrgStatus }), JobStatus]).openapi("StateBackfillStatus");

const routes = {
  history: defineRoute({
    method: "get",
    path: "/api/fsm/entities/{entity_name}/{entity_id}/history",
    operationId: "getEntityStateHistory",
    summary: "Get entity state history",
    tags,
    request: { params: EntityParams, query: HistoryQuery },
    responses: { 200: json(HistoryPage, "One page of the entity's history, newest first"), ...errors(404) },
    "x-mcp": { readOnly: true, destructive: false, idempotent: true },
  }),
  state: defineRoute({
    method: "get",
    path: "/api/fsm/entities/{entity_name}/{entity_id}/",
    operationId: "getEntityState",
    summary: "Get an entity's current state and allowed transitions",
    tags,
    request: { params: EntityParams },
    responses: { 200: json(EntityState, "Current state"), ...errors(404) },
  }),
  transition: defineRoute({
    method: "post",
    path: "/api/fsm/entities/{entity_name}/{entity_id}/transition/",
    operationId: "executeManualStateTransition",
    summary: "Execute manual state transition",
    tags,
    request: { params: EntityParams, ...jsonBody(TransitionBody) },
    responses: {
      200: json(TransitionResult, "Transition applied"),
      ...errors(403, 404),
      409: json(ConflictBody, "Not allowed from the current state, or expected_state is stale"),
    },
    "x-mcp": { readOnly: false, destructive: false, idempotent: false },
  }),
  trigger: defineRoute({
    method: "post",
    path: "/api/fsm/backfill/",
    operationId: "triggerStateBackfillOrganization",
    summary: "Trigger state backfill for organization",
    tags,
    request: {
      query: ProjectQuery,
      // LS sends no body; an empty JSON object is accepted too, so the contract names a body schema.
      body: {
        content: { "application/json": { schema: z.object({}).describe("No fields: use the query") } },
        required: false,
      },
    },
    responses: { 201: json(TriggerResult, "Jobs queued"), ...errors(403, 404) },
    "x-mcp": { readOnly: false, destructive: false, idempotent: false },
  }),
  cancel: defineRoute({
    method: "delete",
    path: "/api/fsm/backfill/",
    operationId: "cancelStateBackfillJobs",
    summary: "Cancel state backfill jobs",
    tags,
    request: { query: JobQuery },
    responses: {
      200: json(z.object({ cancelled_count: z.number(), message: z.string() }), "Cancelled"),
      ...errors(403, 404),
    },
    "x-mcp": { readOnly: false, destructive: true, idempotent: true },
  }),
  jobs: defineRoute({
    method: "get",
    path: "/api/fsm/backfill/jobs/",
    operationId: "listStateBackfillJobs",
    summary: "List state backfill jobs",
    tags,
    request: { query: JobsQuery },
    responses: { 200: json(JobList, "Jobs, newest first"), ...errors(403) },
    "x-mcp": { readOnly: true, destructive: false, idempotent: true },
  }),
  status: defineRoute({
    method: "get",
    path: "/api/fsm/backfill/status/",
    operationId: "getStateBackfillStatus",
    summary: "Get state backfill status",
    tags,
    request: { query: JobQuery },
    responses: {
      200: json(StatusResult, "A job's status, or the organization aggregate"),
      ...errors(403, 404),
    },
    "x-mcp": { readOnly: true, destructive: false, idempotent: true },
  }),
};

/** DRF-style page links: the request URL with `page` replaced, or null. */
function pageLink(c: Context<AppEnv>, page: number | null) {
  if (page === null) return null;
  const url = new URL(c.req.url);
  url.searchParams.set("page", String(page));
  return url.toString();
}

export function registerFsmRoutes(app: ApiApp, { fsm }: Services) {
  app.openapi(routes.history, async (c) => {
    const { entity_name, entity_id } = c.req.valid("param");
    const query = c.req.valid("query");
    const page = query.page ?? 1;
    const size = query.page_size ?? 100;
    const result = await fsm.history(
      principalOf(c).organizationId,
      entity_name,
      entity_id,
      {
        createdAtFrom: query.created_at_from,
        createdAtTo: query.created_at_to,
        state: query.state,
        previousState: query.previous_state,
        transitionName: query.transition_name,
        triggeredBy: query.triggered_by,
        ordering: query.ordering,
      },
      { limit: size, offset: (page - 1) * size },
    );
    return c.json(
      {
        count: result.total,
        next: pageLink(c, page * size < result.total ? page + 1 : null),
        previous: pageLink(c, page > 1 ? page - 1 : null),
        results: result.rows,
      },
      200,
    );
  });

  app.openapi(routes.state, async (c) => {
    const { entity_name, entity_id } = c.req.valid("param");
    return c.json(await fsm.getEntityState(principalOf(c).organizationId, entity_name, entity_id), 200);
  });

  app.openapi(routes.transition, async (c) => {
    const principal = requireRole(c, "manager");
    const { entity_name, entity_id } = c.req.valid("param");
    const result = await fsm.executeManual(
      principal.organizationId,
      principal.memberId,
      entity_name,
      entity_id,
      c.req.valid("json"),
    );
    return c.json(result, 200);
  });

  app.openapi(routes.trigger, async (c) => {
    const principal = requireRole(c, "admin");
    const { project_id } = c.req.valid("query");
    return c.json(await fsm.backfill.trigger(principal.organizationId, principal.memberId, project_id), 201);
  });

  app.openapi(routes.cancel, async (c) => {
    const principal = requireRole(c, "admin");
    const { job_id, project_id } = c.req.valid("query");
    return c.json(
      await fsm.backfill.cancel(principal.organizationId, { jobId: job_id, projectId: project_id }),
      200,
    );
  });

  app.openapi(routes.jobs, async (c) => {
    const principal = requireRole(c, "admin");
    const query = c.req.valid("query");
    const page = { limit: query.limit ?? 10, offset: query.offset ?? 0 };
    const result = await fsm.backfill.list(principal.organizationId, page);
    c.header("X-Total-Count", String(result.total));
    return c.json(
      {
        jobs: result.rows,
        pagination: {
          ...page,
          total: result.total,
          hasMore: page.offset + result.rows.length < result.total,
        },
      },
      200,
    );
  });

  app.openapi(routes.status, async (c) => {
    const principal = requireRole(c, "admin");
    const { job_id, project_id } = c.req.valid("query");
    return c.json(
      await fsm.backfill.status(principal.organizationId, { jobId: job_id, projectId: project_id }),
      200,
    );
  });
}
