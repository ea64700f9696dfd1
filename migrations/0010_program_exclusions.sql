-- What drizzle cannot declare: time ranges that must not overlap. btree_gist lets one GiST index compare a uuid
-- by equality beside a range by overlap. Ranges are half-open ('[)'): a session ending at 11:00 and one starting
-- at 11:00 do not overlap. Cancelled rows take no part. Violations are SQLSTATE 23P01.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
-- Two draft or published sessions never overlap in one room (409 room_busy).
ALTER TABLE program_sessions ADD CONSTRAINT program_sessions_room_no_overlap
  EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status <> 'cancelled');
--> statement-breakpoint
-- A registration never holds two live reservations that overlap in time (409 session_overlap).
ALTER TABLE session_reservations ADD CONSTRAINT session_reservations_no_overlap
  EXCLUDE USING gist (registration_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status <> 'cancelled');
