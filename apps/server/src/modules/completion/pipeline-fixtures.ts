import { asc, eq } from "drizzle-orm";
import type { ListeningTestApp } from "../../../test/helpers/listening-app.js";
import { annotators, assignments, assignmentTasks } from "../../db/schema/index.js";
import { createLabelStudioClient } from "../../labelstudio/client.js";

// A 1×1 PNG: the files are served, not decoded.
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

export const LABEL_CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>';
/** The review config shows the upstream `label` (as a prediction) and asks for a decision and a reason. */
export const REVIEW_CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices>' +
  '<Choices name="review_decision" toName="image"><Choice value="accept"/><Choice value="reject"/></Choices>' +
  '<TextArea name="review_reason" toName="image"/></View>';

export const labelResult = (choice: string) => [
  { from_name: "label", to_name: "image", type: "choices", value: { choices: [choice] } },
];
export const reviewResult = (decision: "accept" | "reject", reason?: string) => [
  { from_name: "review_decision", to_name: "image", type: "choices", value: { choices: [decision] } },
  ...(reason
    ? [{ from_name: "review_reason", to_name: "image", type: "textarea", value: { text: [reason] } }]
    : []),
];

/**
 * Drives the embedded pipeline of a listening test app through its API and the annotators' LS
 * instances (the simulator run by the process backend), as an admin and as annotators would.
 */
export function pipeline(t: ListeningTestApp, cookie: string) {
  const post = async (path: string, body?: unknown) => {
    const response = await t.request("POST", path, { cookie, body });
    if (response.status >= 300)
      throw new Error(`POST ${path} → ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  return {
    post,
    async images(prefix: string, count: number) {
      for (let i = 1; i <= count; i++) {
        await t.services.storage.put(`${prefix}img-${String(i).padStart(3, "0")}.png`, PNG, "image/png");
      }
    },
    /** Creates and starts an annotator; returns its id once its instance is active. */
    async startAnnotator(name: string, roleId: number) {
      const annotator = await post("/api/annotators", {
        name,
        email: `${name.toLowerCase()}@example.com`,
        roleId,
      });
      await post(`/api/annotators/${annotator.id}/start`);
      await t.services.jobs.worker.drain();
      const status = await t.request("GET", `/api/annotators/${annotator.id}/status`, { cookie });
      if (status.body.status !== "active") throw new Error(`annotator ${name} is ${status.body.status}`);
      return annotator.id as number;
    },
    /** The LS client of an annotator's instance, and its URL (for the simulator's /__sim routes). */
    async instance(annotatorId: number) {
      const [row] = await t.db.select().from(annotators).where(eq(annotators.id, annotatorId));
      const client = createLabelStudioClient({
        baseUrl: row!.instanceUrl!,
        token: t.services.secrets.open(row!.apiTokenEnc!),
      });
      return { client, url: row!.instanceUrl! };
    },
    async assignmentsOf(annotatorId: number, workflowId?: number) {
      const rows = await t.db
        .select()
        .from(assignments)
        .where(eq(assignments.annotatorId, annotatorId))
        .orderBy(asc(assignments.id));
      return rows.filter((a) => workflowId === undefined || a.workflowId === workflowId);
    },
    /** LS task ids of an assignment, in batch order. */
    async lsTasksOf(assignmentId: number) {
      const rows = await t.db
        .select({ lsTaskId: assignmentTasks.lsTaskId, itemId: assignmentTasks.itemId })
        .from(assignmentTasks)
        .where(eq(assignmentTasks.assignmentId, assignmentId))
        .orderBy(asc(assignmentTasks.position));
      return rows.map((r) => ({ lsTaskId: r.lsTaskId!, itemId: r.itemId }));
    },
  };
}
