import type { Db } from "../../db/client.js";
import {
  annotations,
  annotators,
  assignments,
  assignmentTasks,
  items,
  workflows,
} from "../../db/schema/index.js";
import type { Services } from "../../services.js";

let sequence = 0;
const next = () => ++sequence;

/**
 * Factories for FSM tests: one row of each stateful entity, inserted in its initial (or a given)
 * state. Inserting with a state is creation, not a transition, so it stays outside the FSM rules.
 */
export function fsmFixtures(db: Db) {
  return {
    async workflow(organizationId: number, state: typeof workflows.$inferInsert.state = "CREATED") {
      const n = next();
      const [row] = await db
        .insert(workflows)
        .values({
          organizationId,
          name: `wf-${n}`,
          s3SourcePath: `s3://b/src-${n}/`,
          s3ExportPath: `s3://b/out-${n}/`,
          state,
        })
        .returning();
      return row!;
    },
    async annotator(organizationId: number, status: typeof annotators.$inferInsert.status = "created") {
      const n = next();
      const [row] = await db
        .insert(annotators)
        .values({ organizationId, name: `ann-${n}`, email: `ann-${n}@x.org`, status })
        .returning();
      return row!;
    },
    async item(organizationId: number, workflowId: number, values: Partial<typeof items.$inferInsert> = {}) {
      const n = next();
      const [row] = await db
        .insert(items)
        .values({ organizationId, workflowId, sourceKey: `k-${n}`, storageKey: `src/k-${n}.jpg`, ...values })
        .returning();
      return row!;
    },
    async assignment(
      organizationId: number,
      workflowId: number,
      annotatorId: number,
      values: Partial<typeof assignments.$inferInsert> = {},
    ) {
      const [row] = await db
        .insert(assignments)
        .values({ organizationId, workflowId, annotatorId, ...values })
        .returning();
      return row!;
    },
    async assignmentTask(assignmentId: number, annotatorId: number, itemId: number, isDone = false) {
      const [row] = await db
        .insert(assignmentTasks)
        .values({ assignmentId, annotatorId, itemId, isDone })
        .returning();
      return row!;
    },
    async annotation(
      organizationId: number,
      itemId: number,
      annotatorId: number,
      values: Partial<typeof annotations.$inferInsert> = {},
    ) {
      const [row] = await db
        .insert(annotations)
        .values({ organizationId, itemId, annotatorId, lsAnnotationId: next(), result: [], ...values })
        .returning();
      return row!;
    },
  };
}

/** The id of the seeded "default" organization, and a second organization for tenancy tests. */
export async function testOrganizations(services: Services) {
  const main = await services.organizations.findOrCreateOrganization("default");
  const other = await services.organizations.findOrCreateOrganization("other-org");
  return { orgId: main.id, otherOrgId: other.id };
}
