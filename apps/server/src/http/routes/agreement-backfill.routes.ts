import { z } from "@hono/zod-openapi";
import { BACKFILL_STATUSES, type TriggerMode } from "../../modules/agreement/backfill.service.js";
import type { Services } from "../../services.js";
import { type ApiApp, requireRole } from "../context.js";
import { defineRoute, errors, json, jsonBody } from "../openapi.js";

const isSet = (v: unknown) => v !== undefined && v !== null && v !== false;

const TriggerBody = z
  .object({
    project_id: z.number().int().positive().nullish().describe("Backfill this one project"),
    num_projects: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .nullish()
      .describe(
        "Batched mode: queue the next N not-started projects (ascending id); in-flight jobs are left alone",
      ),
    all_projects: z
      .boolean()
      .nullish()
      .describe("Full mode: cancel in-flight jobs, then queue every project not completed"),
  })
  .refine((b) => [b.project_id, b.num_projects, b.all_projects].filter(isSet).length === 1, {
    message: "Exactly one of project_id, num_projects, all_projects must be set",
  });

const JobQuery = z.object({
  job_id: z.coerce.number().int().positive().optional().describe("A job id"),
  project_id: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("A project id (its latest job, or its active jobs)"),
});

const Progress = z.object({
  matrices_created: z.number(),
  tasks_processed: z.number(),
  tasks_total: z.number().nullable(),
  errors: z.number(),
});
const Job = z
  .object({
    job_id: z.number(),
    rq_job_id: z.string().nullable(),
    project_id: z.number().nullable(),
    status: z.enum(BACKFILL_STATUSES),
    triggered_by: z.object({ id: z.number(), email: z.string() }).nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    error_message: z.string().describe("'Cancelled' for a cancelled job (LS has no CANCELLED status)"),
    progress_data: Progress,
  })
  .openapi("AgreementV2BackfillJob");

const TriggerResult = z
  .object({
    jobs: z.array(z.object({ job_id: z.number(), rq_job_id: z.string(), project_id: z.number() })),
    jobs_queued: z.number(),
    message: z.string(),
    organization_id: z.number(),
    projects_remaining: z.number().describe("Projects neither started nor in flight (num_projects mode)"),
    projects_skipped: z.number().describe("Projects skipped because their backfill completed"),
  })
  .openapi("AgreementV2BackfillTriggerResponse");

const OrgStatus = z.object({
  org_status: z.object({
    total_projects: z.number(),
    completed_projects: z.number(),
    failed_projects: z.number(),
    pending_projects: z.number(),
    running_projects: z.number(),
    not_started_projects: z.number(),
    total_matrices_created: z.number(),
  }),
});

const ListQuery = z.object({
  status: z.enum(BACKFILL_STATUSES).optional(),
  page: z.coerce.number().int().min(1).optional().describe("Page (default 1)"),
  page_size: z.coerce.number().int().min(1).max(500).optional().describe("Page size (default 50, max 500)"),
});

const tags = ["Agreement"];

const routes = {
  trigger: defineRoute({
    method: "post",
    path: "/api/dimensions/backfill/",
    operationId: "triggerAgreementBackfill",
    summary: "Trigger Agreement V2 backfill",
    tags,
    request: jsonBody(TriggerBody),
    responses: { 201: json(TriggerResult, "Jobs queued"), ...errors(403, 404) },
  }),
  cancel: defineRoute({
    method: "delete",
    path: "/api/dimensions/backfill/",
    operationId: "cancelAgreementBackfill",
    summary: "Cancel Agreement V2 backfill jobs (one job, a project's, or the organization's)",
    tags,
    request: { query: JobQuery },
    responses: {
      200: json(z.object({ cancelled_count: z.number(), message: z.string() }), "Cancelled"),
      ...errors(403, 404),
    },
  }),
  jobs: defineRoute({
    method: "get",
    path: "/api/dimensions/backfill/jobs/",
    operationId: "listAgreementBackfillJobs",
    summary: "List Agreement V2 backfill jobs, newest first",
    tags,
    request: { query: ListQuery },
    responses: { 200: json(z.array(Job), "Jobs (X-Total-Count has the total)"), ...errors(403) },
  }),
  status: defineRoute({
    method: "get",
    path: "/api/dimensions/backfill/status/",
    operationId: "getAgreementBackfillStatus",
    summary: "Get Agreement V2 backfill status (a job, a project's latest, or the organization aggregate)",
    tags,
    request: { query: JobQuery },
    responses: { 200: json(z.union([Job, OrgStatus]), "Status"), ...errors(403, 404) },
  }),
};

/** Agreement V2 backfill (reference §1.1); administrators and owners only. */
export function registerAgreementBackfillRoutes(app: ApiApp, { agreement }: Services) {
  app.openapi(routes.trigger, async (c) => {
    const { organizationId, memberId } = requireRole(c, "admin");
    const body = c.req.valid("json");
    const mode: TriggerMode = isSet(body.project_id)
      ? { project_id: body.project_id! }
      : isSet(body.num_projects)
        ? { num_projects: body.num_projects! }
        : { all_projects: true };
    return c.json(await agreement.backfill.trigger(organizationId, memberId, mode), 201);
  });
  app.openapi(routes.cancel, async (c) => {
    const { organizationId } = requireRole(c, "admin");
    const { job_id, project_id } = c.req.valid("query");
    return c.json(
      await agreement.backfill.cancel(organizationId, { jobId: job_id, projectId: project_id }),
      200,
    );
  });
  app.openapi(routes.jobs, async (c) => {
    const { organizationId } = requireRole(c, "admin");
    const query = c.req.valid("query");
    const size = query.page_size ?? 50;
    const result = await agreement.backfill.list(organizationId, query.status, {
      limit: size,
      offset: ((query.page ?? 1) - 1) * size,
    });
    c.header("X-Total-Count", String(result.total));
    return c.json(result.rows, 200);
  });
  app.openapi(routes.status, async (c) => {
    const { organizationId } = requireRole(c, "admin");
    const { job_id, project_id } = c.req.valid("query");
    return c.json(
      await agreement.backfill.status(organizationId, { jobId: job_id, projectId: project_id }),
      200,
    );
  });
}
