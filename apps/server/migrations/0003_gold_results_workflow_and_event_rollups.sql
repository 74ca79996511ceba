CREATE TABLE "annotation_event_rollups" (
	"organization_id" integer NOT NULL,
	"annotator_id" integer NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"created_count" integer DEFAULT 0 NOT NULL,
	"timed_count" integer DEFAULT 0 NOT NULL,
	"time_sum_ms" double precision DEFAULT 0 NOT NULL,
	"under10s" integer DEFAULT 0 NOT NULL,
	"under30s" integer DEFAULT 0 NOT NULL,
	"under60s" integer DEFAULT 0 NOT NULL,
	"over60s" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "annotation_event_rollups_annotator_id_hour_pk" PRIMARY KEY("annotator_id","hour")
);
--> statement-breakpoint
ALTER TABLE "gold_results" ADD COLUMN "workflow_id" integer;--> statement-breakpoint
ALTER TABLE "annotation_event_rollups" ADD CONSTRAINT "annotation_event_rollups_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_event_rollups" ADD CONSTRAINT "annotation_event_rollups_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "annotation_event_rollups_org_hour_idx" ON "annotation_event_rollups" USING btree ("organization_id","hour");--> statement-breakpoint
ALTER TABLE "gold_results" ADD CONSTRAINT "gold_results_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gold_results_org_evaluated_idx" ON "gold_results" USING btree ("organization_id","evaluated_at");--> statement-breakpoint
CREATE INDEX "gold_results_workflow_annotator_idx" ON "gold_results" USING btree ("workflow_id","annotator_id","evaluated_at");