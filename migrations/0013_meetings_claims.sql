-- No holder (an association, a stand, a meeting table) is in two meetings whose times overlap: the database
-- refuses it whatever races (SQLSTATE 23P01). btree_gist is created by migration 0010.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "meeting_claims" ADD CONSTRAINT "meeting_claims_no_overlap"
  EXCLUDE USING gist ("event_id" WITH =, "holder" WITH =, tstzrange("starts_at", "ends_at") WITH &&);
