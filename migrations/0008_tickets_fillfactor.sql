-- Room on each page for the one update every ticket gets at the door, so it can be HOT (see tickets in schema.ts).
-- Applies to pages written from now on; existing ones fill up as tickets are added and updated.
ALTER TABLE "tickets" SET (fillfactor = 85);
