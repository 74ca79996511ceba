import { z } from "@hono/zod-openapi";
import { matrixCsv } from "../../modules/agreement/matrix-view.service.js";
import { parseSelection } from "../../modules/agreement/selection.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, json } from "../openapi.js";
import { ProjectParams } from "./agreement-dimensions.routes.js";

const TaskParams = ProjectParams.extend({
  task_pk: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: "task_pk", in: "path" }, example: 1 }),
});

const Format = z.enum(["json", "csv"]).optional().describe("json (default) or csv");

const MatrixQuery = z.object({
  dimension: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("Dimension id; without it, cells are the overall score over the active dimensions"),
  selection: z
    .string()
    .max(20_000)
    .optional()
    .describe(
      'Required. JSON: {"annotators":{"all":bool,"ids":[..]},"models":{"all":bool,"ids":[..]},"ground_truth":bool}; ' +
        "all=true makes ids exclusions. Bracket keys (selection[annotators][all]=true) are accepted too.",
    ),
  format: Format,
});

const Cells = z.array(z.array(z.number().nullable()));
const User = z
  .record(z.string(), z.unknown())
  .describe("An annotator as an LS user, or {id: 'model:<v>', username}");
const TaskMatrix = z
  .object({
    matrix: Cells.describe(
      "matrix[i][j]: agreement of users[i] and users[j]; 1 on the diagonal, null if incomparable",
    ),
    users: z.array(User),
  })
  .openapi("TaskAgreementMatrix");

const Coefficients = z.object({
  krippendorff_alpha_nominal: z.number().nullable(),
  krippendorff_alpha_interval: z.number().nullable(),
  fleiss_kappa: z.number().nullable().describe("null unless every task has the same number of raters"),
  units: z.number(),
});
const Summary = z
  .object({
    project_id: z.number(),
    overall: z.object({ mean_agreement: z.number().nullable(), tasks: z.number() }),
    dimensions: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        control_name: z.string(),
        metric_type: z.string(),
        is_active: z.boolean(),
        mean_agreement: z.number().nullable(),
        tasks: z.number(),
        coefficients: Coefficients.nullable().describe("Classification dimensions only"),
      }),
    ),
    annotators: z.array(
      z.object({
        id: z.number(),
        name: z.string().nullable(),
        email: z.string().nullable(),
        mean_agreement: z.number().nullable(),
        pairs: z.number(),
        tasks: z.number(),
      }),
    ),
    models: z.array(
      z.object({
        id: z.string(),
        mean_agreement: z.number().nullable(),
        pairs: z.number(),
        tasks: z.number(),
      }),
    ),
    histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  })
  .openapi("WorkflowAgreementSummary");

const WorkflowMatrix = z
  .object({
    participants: z.array(z.string()),
    users: z.array(User),
    matrix: Cells.describe("Mean pair score over the tasks both participants took part in"),
    counts: z.array(z.array(z.number())).describe("Tasks behind each cell"),
  })
  .openapi("WorkflowAgreementMatrix");

const tags = ["Agreement"];

const routes = {
  task: defineRoute({
    method: "get",
    path: "/api/projects/{project_pk}/tasks/{task_pk}/agreement-matrix",
    operationId: "getTaskAgreementMatrix",
    summary: "Get task agreement matrix",
    tags,
    request: { params: TaskParams, query: MatrixQuery },
    responses: {
      200: {
        content: { "application/json": { schema: TaskMatrix }, "text/csv": { schema: z.string() } },
        description: "The matrix of the selected participants (CSV with format=csv)",
      },
      ...errors(404),
    },
  }),
  summary: defineRoute({
    method: "get",
    path: "/api/projects/{project_pk}/agreement",
    operationId: "getWorkflowAgreementSummary",
    summary:
      "Workflow agreement summary: means, per annotator, histogram, Krippendorff's alpha, Fleiss' kappa",
    tags,
    request: { params: ProjectParams },
    responses: { 200: json(Summary, "Summary"), ...errors(404) },
  }),
  matrix: defineRoute({
    method: "get",
    path: "/api/projects/{project_pk}/agreement/matrix",
    operationId: "getWorkflowAgreementMatrix",
    summary: "Participant × participant mean agreement over a workflow (JSON or CSV)",
    tags,
    request: { params: ProjectParams, query: z.object({ format: Format }) },
    responses: {
      200: {
        content: { "application/json": { schema: WorkflowMatrix }, "text/csv": { schema: z.string() } },
        description: "The matrix (CSV with format=csv)",
      },
      ...errors(404),
    },
  }),
};

const labelOf = (user: { id: number | string; username: string }) =>
  typeof user.id === "number" ? `${user.username} (${user.id})` : String(user.id);

export function registerAgreementMatrixRoutes(app: ApiApp, { agreement }: Services) {
  app.openapi(routes.task, async (c) => {
    const { project_pk, task_pk } = c.req.valid("param");
    const query = c.req.valid("query");
    const selection = parseSelection(c.req.queries());
    const result = await agreement.matrixView.get(principalOf(c).organizationId, project_pk, task_pk, {
      dimension: query.dimension,
      selection,
    });
    if (query.format === "csv") {
      return c.body(matrixCsv(result.users.map(labelOf), result.matrix), 200, {
        "content-type": "text/csv; charset=utf-8",
      });
    }
    return c.json(result, 200);
  });
  app.openapi(routes.summary, async (c) =>
    c.json(
      await agreement.summary.summary(principalOf(c).organizationId, c.req.valid("param").project_pk),
      200,
    ),
  );
  app.openapi(routes.matrix, async (c) => {
    const result = await agreement.summary.matrix(
      principalOf(c).organizationId,
      c.req.valid("param").project_pk,
    );
    if (c.req.valid("query").format === "csv") {
      return c.body(matrixCsv(result.users.map(labelOf), result.matrix), 200, {
        "content-type": "text/csv; charset=utf-8",
      });
    }
    return c.json(result, 200);
  });
}
