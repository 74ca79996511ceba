import { sql } from "drizzle-orm";
import type { TestApp } from "../../../test/helpers/test-app.js";
import type { Db } from "../../db/client.js";
import { annotations, annotators, items } from "../../db/schema/index.js";
import { type AnnotationChanged, JOB_ANNOTATION_CHANGED } from "../ingestion/ingestion.service.js";

let sequence = 0;
const next = () => ++sequence;

/** Choices `label` (cat/dog) and Rating `score` over one image. */
export const CHOICE_RATING_CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices><Rating name="score" toName="image" maxRating="5"/></View>';

export const choice = (value: string) => ({
  from_name: "label",
  to_name: "image",
  type: "choices",
  value: { choices: [value] },
});
export const rating = (value: number) => ({
  from_name: "score",
  to_name: "image",
  type: "rating",
  value: { rating: value },
});

/**
 * Factories for agreement tests. Configs and workflows go through the API (so the labeling-config
 * hook creates the dimensions); annotators, items and annotations are inserted as ingestion would
 * store them, and an annotation change is announced with ingestion's real `annotation.changed` job.
 */
export function agreementFixtures(t: TestApp, cookie: string) {
  const db: Db = t.db;
  return {
    async organizationId(slug = "default") {
      return (await t.services.organizations.findOrCreateOrganization(slug)).id;
    },
    async workflow(configXml = CHOICE_RATING_CONFIG, requestCookie = cookie) {
      const n = next();
      const config = await t.request("POST", "/api/labeling-configs", {
        cookie: requestCookie,
        body: { name: `agreement-config-${n}`, configXml },
      });
      if (config.status !== 201) throw new Error(`config: ${JSON.stringify(config.body)}`);
      const workflow = await t.request("POST", "/api/workflows", {
        cookie: requestCookie,
        body: {
          name: `agreement-wf-${n}`,
          labelingConfigId: config.body.id,
          s3SourcePath: `agreement/src-${n}/`,
          s3ExportPath: `agreement/out-${n}/`,
          annotationsPerItem: 3,
        },
      });
      if (workflow.status !== 201) throw new Error(`workflow: ${JSON.stringify(workflow.body)}`);
      return { id: workflow.body.id as number, configId: config.body.id as number };
    },
    async annotator(organizationId: number, name = `Ann ${next()}`, email = `ann-${next()}@example.com`) {
      const [row] = await db.insert(annotators).values({ organizationId, name, email }).returning();
      return row!;
    },
    async items(
      organizationId: number,
      workflowId: number,
      count: number,
      kind: "source" | "gold" = "source",
    ) {
      const rows = await db
        .insert(items)
        .values(
          Array.from({ length: count }, () => {
            const n = next();
            return { organizationId, workflowId, kind, sourceKey: `k-${n}.jpg`, storageKey: `s/k-${n}.jpg` };
          }),
        )
        .returning({ id: items.id });
      return rows.map((r) => r.id);
    },
    /** Stores an annotation and announces it through ingestion's job (unless `silent`). */
    async annotate(
      organizationId: number,
      itemId: number,
      annotatorId: number,
      result: unknown[],
      options: { state?: "CREATED" | "ACCEPTED" | "DELETED"; wasCancelled?: boolean; silent?: boolean } = {},
    ) {
      const [row] = await db
        .insert(annotations)
        .values({
          organizationId,
          itemId,
          annotatorId,
          lsAnnotationId: next(),
          result,
          state: options.state ?? "CREATED",
          wasCancelled: options.wasCancelled ?? false,
        })
        .returning({ id: annotations.id });
      if (!options.silent) {
        const event: AnnotationChanged = {
          annotationId: row!.id,
          organizationId,
          itemId,
          annotatorId,
          assignmentId: null,
          kind: "created",
        };
        await t.services.jobs.send(JOB_ANNOTATION_CHANGED, event);
      }
      return row!.id;
    },
    async matrixRows(itemId: number) {
      const result = (await db.execute(
        sql`select dimension, participants, matrix, task_agreement from agreement_matrices where item_id = ${itemId} order by dimension`,
      )) as unknown as {
        rows: {
          dimension: string;
          participants: string[];
          matrix: (number | null)[][];
          task_agreement: number | null;
        }[];
      };
      return result.rows;
    },
  };
}
