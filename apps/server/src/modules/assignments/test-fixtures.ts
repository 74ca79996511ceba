import { and, eq, sql } from "drizzle-orm";
import {
  annotators,
  assignments,
  assignmentTasks,
  fsmStateHistory,
  goldTasks,
  items,
  labelingConfigs,
  roles,
  workflows,
} from "../../db/schema/index.js";
import type { Services } from "../../services.js";

let sequence = 0;
const next = () => ++sequence;

export const IMAGE_CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>';

/**
 * Factories for assignment tests: rows inserted directly, in the state a test needs (creation, not
 * transitions). Items are generated in SQL so a 1,000-item workflow costs one statement.
 */
export function assignmentFixtures(services: Services) {
  const { db } = services;
  return {
    async organizationId(slug = "default") {
      return (await services.organizations.findOrCreateOrganization(slug)).id;
    },
    async role(organizationId: number) {
      const [row] = await db
        .insert(roles)
        .values({ organizationId, name: `role-${next()}` })
        .returning();
      return row!;
    },
    async labelingConfig(organizationId: number, configXml = IMAGE_CONFIG) {
      const [row] = await db
        .insert(labelingConfigs)
        .values({ organizationId, name: `config-${next()}`, configXml })
        .returning();
      return row!;
    },
    async workflow(organizationId: number, values: Partial<typeof workflows.$inferInsert> = {}) {
      const n = next();
      const [row] = await db
        .insert(workflows)
        .values({
          organizationId,
          name: `workflow-${n}`,
          s3SourcePath: `images/wf-${n}/`,
          s3ExportPath: `exports/wf-${n}/`,
          shuffleImages: false,
          ...values,
        })
        .returning();
      return row!;
    },
    /** `count` source items `img-0000001.jpg`… under the workflow's source path, in id order. */
    async items(organizationId: number, workflowId: number, count: number) {
      await db.execute(sql`insert into ${items} (organization_id, workflow_id, source_key, storage_key)
        select ${organizationId}, ${workflowId}, 'img-' || lpad(g::text, 7, '0') || '.jpg',
          'images/img-' || lpad(g::text, 7, '0') || '.jpg'
        from generate_series(1, ${count}) g`);
    },
    async goldTask(organizationId: number, labelingConfigId: number) {
      const [row] = await db
        .insert(goldTasks)
        .values({
          organizationId,
          labelingConfigId,
          name: `gold-${next()}`,
          s3ImageKey: `gold/g-${next()}.jpg`,
          expectedLabels: [
            { from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } },
          ],
        })
        .returning();
      return row!;
    },
    async annotator(
      organizationId: number,
      values: Partial<typeof annotators.$inferInsert> & {
        instance?: { url: string; token: string };
      } = {},
    ) {
      const { instance, ...rest } = values;
      const n = next();
      const [row] = await db
        .insert(annotators)
        .values({
          organizationId,
          name: `annotator-${n}`,
          email: `annotator-${n}@example.com`,
          status: "active",
          ...(instance
            ? {
                instanceUrl: instance.url,
                apiTokenEnc: services.secrets.seal(instance.token),
                webhookSecretEnc: services.secrets.seal(`webhook-secret-${n}`),
              }
            : {}),
          ...rest,
        })
        .returning();
      return row!;
    },
    /**
     * A delivered batch: an annotator with an instance, an in-progress assignment of `tasks` new items
     * of a new workflow, mapped to LS project `lsProjectId` and LS tasks `lsTaskBase + i`.
     */
    async deliveredBatch(options: { tasks: number; lsProjectId: number; lsTaskBase: number }) {
      const organizationId = await this.organizationId();
      const workflow = await this.workflow(organizationId);
      await this.items(organizationId, workflow.id, options.tasks);
      const annotator = await this.annotator(organizationId, {
        instance: { url: "http://127.0.0.1:9", token: "tok-123456" },
      });
      const [assignment] = await db
        .insert(assignments)
        .values({
          organizationId,
          workflowId: workflow.id,
          annotatorId: annotator.id,
          lsProjectId: options.lsProjectId,
          taskCount: options.tasks,
          status: "in_progress",
        })
        .returning();
      const rows = await this.itemRows(workflow.id);
      await db.insert(assignmentTasks).values(
        rows.map((item, i) => ({
          assignmentId: assignment!.id,
          annotatorId: annotator.id,
          itemId: item.id,
          position: i,
          lsTaskId: options.lsTaskBase + i,
        })),
      );
      const secret = services.secrets.open(annotator.webhookSecretEnc!);
      return { organizationId, workflow, annotator, assignment: assignment!, secret };
    },
    async itemRows(workflowId: number) {
      return db.select().from(items).where(eq(items.workflowId, workflowId)).orderBy(items.id);
    },
    async tasksOf(assignmentId: number) {
      return db
        .select()
        .from(assignmentTasks)
        .where(eq(assignmentTasks.assignmentId, assignmentId))
        .orderBy(assignmentTasks.position);
    },
    async assignment(id: number) {
      const [row] = await db.select().from(assignments).where(eq(assignments.id, id));
      return row!;
    },
    async history(entityName: string, entityId: number) {
      return db
        .select()
        .from(fsmStateHistory)
        .where(
          and(eq(fsmStateHistory.entityName, entityName), eq(fsmStateHistory.entityId, String(entityId))),
        )
        .orderBy(fsmStateHistory.id);
    },
  };
}
