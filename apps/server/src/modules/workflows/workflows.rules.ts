import type { Db } from "../../db/client.js";
import { labelingConfigs, type RejectionMode, roles, workflows } from "../../db/schema/index.js";
import { AppError } from "../../lib/app-error.js";
import { existingIds, upstreamIds } from "./workflows.repo.js";

/** The fields the cross-field and reference rules look at. */
export interface WorkflowLinks {
  roleId?: number | null | undefined;
  labelingConfigId?: number | null | undefined;
  previousWorkflowId?: number | null | undefined;
  rejectionMode?: RejectionMode | undefined;
  rejectionRouteWorkflowId?: number | null | undefined;
}

export interface Issue {
  path: (string | number)[];
  message: string;
}

/** Throws one 400 carrying every issue (the first one as the message). */
export function throwIssues(issues: Issue[]): void {
  if (issues.length === 0) return;
  throw new AppError("BAD_REQUEST", issues[0]!.message, issues);
}

/**
 * Rules that need the database or several fields (the spec's table, DESIGN §4):
 * - `route_to_workflow` requires `rejectionRouteWorkflowId`;
 * - referenced roles, labeling configs and workflows must exist in the organization;
 * - a workflow is neither its own rejection target nor its own predecessor, and
 *   `previousWorkflowId` may not close a cycle in the chain.
 * `merged` is the workflow as it will be; `changed` the fields the request sets (only those are
 * looked up); `selfId` is null on create; `pending` are workflow ids created earlier in the same bulk
 * request (they exist inside the transaction, and cannot form a cycle with a new workflow).
 * Returns the issues with `path` prefixed by `at` (bulk: `["workflows", i]`).
 */
export async function workflowIssues(
  tx: Db,
  organizationId: number,
  merged: WorkflowLinks,
  changed: WorkflowLinks,
  selfId: number | null,
  at: (string | number)[] = [],
): Promise<Issue[]> {
  const issues: Issue[] = [];
  const issue = (field: string, message: string) => issues.push({ path: [...at, field], message });

  if (merged.rejectionMode === "route_to_workflow" && merged.rejectionRouteWorkflowId == null) {
    issue(
      "rejectionRouteWorkflowId",
      "rejectionRouteWorkflowId is required when rejectionMode is route_to_workflow",
    );
  }
  const lookups: [keyof WorkflowLinks, typeof roles | typeof labelingConfigs | typeof workflows, string][] = [
    ["roleId", roles, "Role"],
    ["labelingConfigId", labelingConfigs, "Labeling config"],
    ["previousWorkflowId", workflows, "Workflow"],
    ["rejectionRouteWorkflowId", workflows, "Workflow"],
  ];
  for (const [field, table, what] of lookups) {
    const id = changed[field];
    if (typeof id !== "number") continue;
    if (field !== "roleId" && field !== "labelingConfigId" && id === selfId) continue;
    const exists = await existingIds(tx, table, organizationId, [id]);
    if (!exists.has(id)) issue(field, `${what} ${id} does not exist in this organization`);
  }
  if (selfId !== null && merged.rejectionRouteWorkflowId === selfId) {
    issue("rejectionRouteWorkflowId", "A workflow cannot route its rejections to itself");
  }
  const previous = changed.previousWorkflowId;
  if (selfId !== null && typeof previous === "number") {
    if (previous === selfId) issue("previousWorkflowId", "A workflow cannot be chained after itself");
    else if ((await upstreamIds(tx, organizationId, previous)).includes(selfId)) {
      issue("previousWorkflowId", `Chaining after workflow ${previous} would create a cycle`);
    }
  }
  return issues;
}
