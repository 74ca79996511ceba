ALTER TABLE "annotations" DROP CONSTRAINT "annotations_organization_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "fsm_state_history" DROP CONSTRAINT "fsm_state_history_organization_id_organizations_id_fk";
--> statement-breakpoint
-- The cascade the foreign key gave, without a key check per inserted history row: deleting an
-- organization deletes its state history (annotations go with their items).
CREATE OR REPLACE FUNCTION labelfleet_purge_organization_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM fsm_state_history WHERE organization_id = OLD.id;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER organizations_purge_history AFTER DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION labelfleet_purge_organization_history();
