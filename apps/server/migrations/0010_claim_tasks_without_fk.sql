ALTER TABLE "assignment_tasks" DROP CONSTRAINT "assignment_tasks_assignment_id_assignments_id_fk";
--> statement-breakpoint
ALTER TABLE "assignment_tasks" DROP CONSTRAINT "assignment_tasks_annotator_id_annotators_id_fk";
--> statement-breakpoint
ALTER TABLE "assignment_tasks" DROP CONSTRAINT "assignment_tasks_item_id_items_id_fk";
--> statement-breakpoint
DROP INDEX "assignment_tasks_assignment_item_idx";--> statement-breakpoint
-- The claim inserts ~100 task rows per batch; their three foreign keys cost a key-check query per row
-- (a fifth of the server's CPU under 16 claimers). The claim writes them from rows it holds locked,
-- so the checks only remain useful for the cascades, which these statement-level triggers keep:
-- deleting assignments or items deletes their tasks. (assignment_item_idx was redundant with the
-- annotator key: an assignment has one annotator, who holds an item at most once.)
CREATE OR REPLACE FUNCTION labelfleet_delete_tasks_of_assignments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM assignment_tasks t USING gone g WHERE t.assignment_id = g.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER assignments_delete_tasks AFTER DELETE ON assignments
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_delete_tasks_of_assignments();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION labelfleet_delete_tasks_of_items() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM assignment_tasks t USING gone g WHERE t.item_id = g.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER items_delete_tasks AFTER DELETE ON items
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_delete_tasks_of_items();
