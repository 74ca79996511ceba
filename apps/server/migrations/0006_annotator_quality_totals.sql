CREATE TABLE "annotator_quality_totals" (
	"organization_id" integer NOT NULL,
	"annotator_id" integer NOT NULL,
	"workflow_id" integer NOT NULL,
	"evaluations" integer DEFAULT 0 NOT NULL,
	"score_sum" double precision DEFAULT 0 NOT NULL,
	"reviewed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "annotator_quality_totals_annotator_id_workflow_id_pk" PRIMARY KEY("annotator_id","workflow_id")
);
--> statement-breakpoint
ALTER TABLE "annotator_quality_totals" ADD CONSTRAINT "annotator_quality_totals_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotator_quality_totals" ADD CONSTRAINT "annotator_quality_totals_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "annotator_quality_totals_org_idx" ON "annotator_quality_totals" USING btree ("organization_id","workflow_id");