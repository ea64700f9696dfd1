-- Keeps content_versions true: every change that can alter an event's public exhibitor list or its matches
-- bumps `exhibitors:<event id>`, every vocabulary change bumps `vocabulary`. The triggers are deferred to the
-- commit, so the bump becomes visible together with the change (a reader that reads the version first, then the
-- data, can only ever cache newer data under an older version, which it then refreshes) and its row lock is held
-- for the last moment of the transaction only.
CREATE FUNCTION content_versions_bump(scopes text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO content_versions AS v (scope)
  SELECT DISTINCT s FROM unnest(scopes) AS s WHERE s IS NOT NULL
  ORDER BY s
  ON CONFLICT (scope) DO UPDATE SET version = v.version + 1
$$;
--> statement-breakpoint
-- Only approved bookings are listed and matched: a change that neither leaves nor reaches 'approved' changes nothing shown.
CREATE FUNCTION stand_bookings_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status = 'approved' THEN PERFORM content_versions_bump(ARRAY['exhibitors:' || NEW.event_id]); END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF OLD.status = 'approved' THEN PERFORM content_versions_bump(ARRAY['exhibitors:' || OLD.event_id]); END IF;
  ELSIF (OLD.status = 'approved' OR NEW.status = 'approved')
    AND (OLD.status, OLD.stand_id, OLD.association_id, OLD.event_id) IS DISTINCT FROM (NEW.status, NEW.stand_id, NEW.association_id, NEW.event_id) THEN
    PERFORM content_versions_bump(ARRAY['exhibitors:' || OLD.event_id, 'exhibitors:' || NEW.event_id]);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER stand_bookings_content_changed AFTER INSERT OR UPDATE OR DELETE ON stand_bookings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stand_bookings_content_changed();
--> statement-breakpoint
-- A stand's code and area are shown with its exhibitor.
CREATE FUNCTION stands_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM content_versions_bump(ARRAY['exhibitors:' || OLD.event_id]);
  ELSE
    PERFORM content_versions_bump(ARRAY['exhibitors:' || OLD.event_id, 'exhibitors:' || NEW.event_id]);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER stands_content_changed AFTER UPDATE OF code, area, event_id OR DELETE ON stands
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stands_content_changed();
--> statement-breakpoint
-- A profile is shown (and matched) at every event where its association exhibits or co-exhibits.
CREATE FUNCTION associations_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM content_versions_bump(ARRAY(
    SELECT 'exhibitors:' || b.event_id FROM stand_bookings b WHERE b.association_id = NEW.id AND b.status = 'approved'
    UNION
    SELECT 'exhibitors:' || b.event_id FROM co_exhibitors c JOIN stand_bookings b ON b.id = c.booking_id
    WHERE c.association_id = NEW.id AND b.status = 'approved'));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER associations_content_changed AFTER UPDATE ON associations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION associations_content_changed();
--> statement-breakpoint
-- Confirmed co-exhibitors are listed with the stand they share.
CREATE FUNCTION co_exhibitors_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  booking uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.booking_id ELSE NEW.booking_id END;
BEGIN
  PERFORM content_versions_bump(ARRAY(SELECT 'exhibitors:' || b.event_id FROM stand_bookings b WHERE b.id = booking));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER co_exhibitors_content_changed AFTER INSERT OR UPDATE OR DELETE ON co_exhibitors
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION co_exhibitors_content_changed();
--> statement-breakpoint
CREATE FUNCTION vocabulary_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM content_versions_bump(ARRAY['vocabulary']);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER vocabulary_content_changed AFTER INSERT OR UPDATE OR DELETE ON vocabulary_terms
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION vocabulary_content_changed();
