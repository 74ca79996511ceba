ALTER TABLE "agreement_dimensions" ADD COLUMN "control_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "agreement_dimensions" ADD COLUMN "description" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "agreement_dimensions" ADD COLUMN "is_user_defined" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "agreement_dimensions" ADD COLUMN "order" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agreement_dimensions" ADD COLUMN "created_by_id" integer;--> statement-breakpoint
ALTER TABLE "agreement_dimensions" ADD CONSTRAINT "agreement_dimensions_created_by_id_members_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agreement_matrices_workflow_dimension_idx" ON "agreement_matrices" USING btree ("workflow_id","dimension","item_id");