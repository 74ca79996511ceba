CREATE TYPE "public"."member_role" AS ENUM('owner', 'admin', 'manager', 'viewer');--> statement-breakpoint
CREATE TABLE "agreement_dimensions" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"workflow_id" integer NOT NULL,
	"name" text NOT NULL,
	"control_type" text NOT NULL,
	"metric" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"weight" real DEFAULT 1 NOT NULL,
	"label_weights" jsonb,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreement_matrices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"workflow_id" integer NOT NULL,
	"item_id" bigint NOT NULL,
	"dimension" text DEFAULT '' NOT NULL,
	"participants" jsonb NOT NULL,
	"matrix" jsonb NOT NULL,
	"task_agreement" real,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "annotations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"item_id" bigint NOT NULL,
	"assignment_id" integer,
	"annotator_id" integer NOT NULL,
	"ls_annotation_id" integer NOT NULL,
	"ls_task_id" integer,
	"ls_project_id" integer,
	"result" jsonb NOT NULL,
	"lead_time" real,
	"was_cancelled" boolean DEFAULT false NOT NULL,
	"state" text DEFAULT 'CREATED' NOT NULL,
	"ls_created_at" timestamp with time zone,
	"ls_updated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"item_id" bigint NOT NULL,
	"model_version" text NOT NULL,
	"result" jsonb NOT NULL,
	"score" real,
	"source_annotation_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "annotators" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"role_id" integer,
	"status" text DEFAULT 'created' NOT NULL,
	"notes" text,
	"backend" text,
	"container_id" text,
	"container_ip" text,
	"container_port" integer,
	"instance_url" text,
	"subdomain" text,
	"database_name" text,
	"api_token_enc" text,
	"webhook_secret_enc" text,
	"ls_user_id" integer,
	"last_active_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"restart_count" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"backend_data" jsonb,
	"rejection_count" integer DEFAULT 0 NOT NULL,
	"reviewed_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"role" "member_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "assignment_tasks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"assignment_id" integer NOT NULL,
	"annotator_id" integer NOT NULL,
	"item_id" bigint NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"is_gold" boolean DEFAULT false NOT NULL,
	"ls_task_id" integer,
	"is_done" boolean DEFAULT false NOT NULL,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"workflow_id" integer NOT NULL,
	"annotator_id" integer NOT NULL,
	"ls_project_id" integer,
	"task_count" integer DEFAULT 0 NOT NULL,
	"gold_task_count" integer DEFAULT 0 NOT NULL,
	"completed_count" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"failure_reason" text,
	"delivery_attempts" integer DEFAULT 0 NOT NULL,
	"export_key" text,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "backfill_jobs" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"kind" text NOT NULL,
	"project_id" integer,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"progress_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cursor" text,
	"error" text,
	"cancel_requested" integer DEFAULT 0 NOT NULL,
	"created_by_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "annotation_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"annotator_id" integer,
	"assignment_id" integer,
	"event_key" text NOT NULL,
	"event_type" text NOT NULL,
	"ls_project_id" integer,
	"ls_task_id" integer,
	"ls_annotation_id" integer,
	"time_spent_ms" real,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "annotation_events_eventKey_unique" UNIQUE("event_key")
);
--> statement-breakpoint
CREATE TABLE "container_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"annotator_id" integer,
	"event_type" text NOT NULL,
	"message" text,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fsm_state_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"entity_name" text NOT NULL,
	"entity_id" text NOT NULL,
	"state" text NOT NULL,
	"previous_state" text,
	"transition_name" text NOT NULL,
	"triggered_by_id" integer,
	"reason" text,
	"context_data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gold_results" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"gold_task_id" integer NOT NULL,
	"annotator_id" integer NOT NULL,
	"assignment_id" integer,
	"annotation_id" bigint,
	"score" real NOT NULL,
	"dimension_scores" jsonb,
	"evaluated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gold_results_annotationId_unique" UNIQUE("annotation_id")
);
--> statement-breakpoint
CREATE TABLE "gold_tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"name" text,
	"s3_image_key" text NOT NULL,
	"expected_labels" jsonb NOT NULL,
	"labeling_config_id" integer NOT NULL,
	"category" text,
	"difficulty" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"workflow_id" integer NOT NULL,
	"kind" text DEFAULT 'source' NOT NULL,
	"source_key" text NOT NULL,
	"storage_key" text NOT NULL,
	"data" jsonb,
	"gold_task_id" integer,
	"origin_item_id" bigint,
	"rework_iteration" integer DEFAULT 0 NOT NULL,
	"assigned_count" integer DEFAULT 0 NOT NULL,
	"annotated_count" integer DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'CREATED' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"singleton_key" text,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 5 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "labeling_configs" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"config_xml" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "members" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"password_hash" text NOT NULL,
	"session_version" integer DEFAULT 1 NOT NULL,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"member_id" integer NOT NULL,
	"organization_id" integer NOT NULL,
	"role" "member_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_member_id_organization_id_pk" PRIMARY KEY("member_id","organization_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"reset_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rejections" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"item_id" bigint,
	"annotation_id" bigint,
	"original_annotator_id" integer,
	"reviewer_annotator_id" integer,
	"reviewer_assignment_id" integer,
	"original_assignment_id" integer,
	"routed_to_assignment_id" integer,
	"routed_to_workflow_id" integer,
	"workflow_id" integer,
	"image_key" text,
	"reason" text,
	"action_taken" text DEFAULT 'none' NOT NULL,
	"iteration" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"color" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"key" text NOT NULL,
	"value" jsonb,
	"description" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"id" serial PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"name" text NOT NULL,
	"role_id" integer,
	"labeling_config_id" integer,
	"previous_workflow_id" integer,
	"s3_source_path" text NOT NULL,
	"s3_export_path" text NOT NULL,
	"images_per_project" integer DEFAULT 100 NOT NULL,
	"max_projects" integer,
	"estimated_time_minutes" integer,
	"auto_assign" boolean DEFAULT true NOT NULL,
	"gold_standard_rate" real DEFAULT 0 NOT NULL,
	"shuffle_images" boolean DEFAULT true NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"annotations_per_item" integer DEFAULT 1 NOT NULL,
	"rejection_mode" text DEFAULT 'none' NOT NULL,
	"rejection_archive_bucket" text,
	"rejection_route_workflow_id" integer,
	"rejection_return_to_original" boolean DEFAULT false NOT NULL,
	"rejection_flag_annotator" boolean DEFAULT true NOT NULL,
	"max_rework_iterations" integer,
	"quality_gate" jsonb,
	"state" text DEFAULT 'CREATED' NOT NULL,
	"sync_state" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agreement_dimensions" ADD CONSTRAINT "agreement_dimensions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_dimensions" ADD CONSTRAINT "agreement_dimensions_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_matrices" ADD CONSTRAINT "agreement_matrices_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_matrices" ADD CONSTRAINT "agreement_matrices_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_matrices" ADD CONSTRAINT "agreement_matrices_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotators" ADD CONSTRAINT "annotators_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotators" ADD CONSTRAINT "annotators_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_tasks" ADD CONSTRAINT "assignment_tasks_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_tasks" ADD CONSTRAINT "assignment_tasks_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_tasks" ADD CONSTRAINT "assignment_tasks_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backfill_jobs" ADD CONSTRAINT "backfill_jobs_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backfill_jobs" ADD CONSTRAINT "backfill_jobs_created_by_id_members_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_events" ADD CONSTRAINT "annotation_events_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_events" ADD CONSTRAINT "annotation_events_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "container_events" ADD CONSTRAINT "container_events_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "container_events" ADD CONSTRAINT "container_events_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fsm_state_history" ADD CONSTRAINT "fsm_state_history_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fsm_state_history" ADD CONSTRAINT "fsm_state_history_triggered_by_id_members_id_fk" FOREIGN KEY ("triggered_by_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gold_results" ADD CONSTRAINT "gold_results_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gold_results" ADD CONSTRAINT "gold_results_gold_task_id_gold_tasks_id_fk" FOREIGN KEY ("gold_task_id") REFERENCES "public"."gold_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gold_results" ADD CONSTRAINT "gold_results_annotator_id_annotators_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."annotators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gold_results" ADD CONSTRAINT "gold_results_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gold_tasks" ADD CONSTRAINT "gold_tasks_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gold_tasks" ADD CONSTRAINT "gold_tasks_labeling_config_id_labeling_configs_id_fk" FOREIGN KEY ("labeling_config_id") REFERENCES "public"."labeling_configs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_gold_task_id_gold_tasks_id_fk" FOREIGN KEY ("gold_task_id") REFERENCES "public"."gold_tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "labeling_configs" ADD CONSTRAINT "labeling_configs_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_original_annotator_id_annotators_id_fk" FOREIGN KEY ("original_annotator_id") REFERENCES "public"."annotators"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_reviewer_annotator_id_annotators_id_fk" FOREIGN KEY ("reviewer_annotator_id") REFERENCES "public"."annotators"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_reviewer_assignment_id_assignments_id_fk" FOREIGN KEY ("reviewer_assignment_id") REFERENCES "public"."assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_original_assignment_id_assignments_id_fk" FOREIGN KEY ("original_assignment_id") REFERENCES "public"."assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_routed_to_assignment_id_assignments_id_fk" FOREIGN KEY ("routed_to_assignment_id") REFERENCES "public"."assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_routed_to_workflow_id_workflows_id_fk" FOREIGN KEY ("routed_to_workflow_id") REFERENCES "public"."workflows"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settings" ADD CONSTRAINT "settings_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_labeling_config_id_labeling_configs_id_fk" FOREIGN KEY ("labeling_config_id") REFERENCES "public"."labeling_configs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_previous_workflow_id_workflows_id_fk" FOREIGN KEY ("previous_workflow_id") REFERENCES "public"."workflows"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_rejection_route_workflow_id_workflows_id_fk" FOREIGN KEY ("rejection_route_workflow_id") REFERENCES "public"."workflows"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_dimensions_workflow_name_idx" ON "agreement_dimensions" USING btree ("workflow_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_matrices_item_dimension_idx" ON "agreement_matrices" USING btree ("item_id","dimension");--> statement-breakpoint
CREATE UNIQUE INDEX "annotations_annotator_ls_idx" ON "annotations" USING btree ("annotator_id","ls_annotation_id");--> statement-breakpoint
CREATE INDEX "annotations_item_idx" ON "annotations" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "annotations_org_created_idx" ON "annotations" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "predictions_item_model_idx" ON "predictions" USING btree ("item_id","model_version");--> statement-breakpoint
CREATE UNIQUE INDEX "annotators_org_email_idx" ON "annotators" USING btree ("organization_id",lower("email")) WHERE "annotators"."status" <> 'deleted';--> statement-breakpoint
CREATE UNIQUE INDEX "annotators_subdomain_idx" ON "annotators" USING btree ("subdomain");--> statement-breakpoint
CREATE INDEX "annotators_org_status_idx" ON "annotators" USING btree ("organization_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "assignment_tasks_assignment_item_idx" ON "assignment_tasks" USING btree ("assignment_id","item_id");--> statement-breakpoint
CREATE INDEX "assignment_tasks_item_annotator_idx" ON "assignment_tasks" USING btree ("item_id","annotator_id");--> statement-breakpoint
CREATE INDEX "assignment_tasks_ls_task_idx" ON "assignment_tasks" USING btree ("assignment_id","ls_task_id");--> statement-breakpoint
CREATE INDEX "assignments_org_status_idx" ON "assignments" USING btree ("organization_id","status");--> statement-breakpoint
CREATE INDEX "assignments_annotator_idx" ON "assignments" USING btree ("annotator_id","status");--> statement-breakpoint
CREATE INDEX "assignments_workflow_idx" ON "assignments" USING btree ("workflow_id","status");--> statement-breakpoint
CREATE INDEX "backfill_jobs_org_kind_idx" ON "backfill_jobs" USING btree ("organization_id","kind","status");--> statement-breakpoint
CREATE INDEX "annotation_events_org_created_idx" ON "annotation_events" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "annotation_events_annotator_created_idx" ON "annotation_events" USING btree ("annotator_id","created_at");--> statement-breakpoint
CREATE INDEX "container_events_org_created_idx" ON "container_events" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "fsm_history_entity_idx" ON "fsm_state_history" USING btree ("organization_id","entity_name","entity_id","id");--> statement-breakpoint
CREATE INDEX "gold_results_org_annotator_idx" ON "gold_results" USING btree ("organization_id","annotator_id","evaluated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "items_workflow_key_idx" ON "items" USING btree ("workflow_id","source_key");--> statement-breakpoint
CREATE INDEX "items_workflow_assigned_idx" ON "items" USING btree ("workflow_id","assigned_count","id");--> statement-breakpoint
CREATE INDEX "jobs_ready_idx" ON "jobs" USING btree ("status","run_at");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_singleton_idx" ON "jobs" USING btree ("name","singleton_key") WHERE "jobs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "members_email_lower_idx" ON "members" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "rejections_org_created_idx" ON "rejections" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "roles_org_name_idx" ON "roles" USING btree ("organization_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "settings_org_key_idx" ON "settings" USING btree ("organization_id","key");--> statement-breakpoint
CREATE INDEX "workflows_org_idx" ON "workflows" USING btree ("organization_id");