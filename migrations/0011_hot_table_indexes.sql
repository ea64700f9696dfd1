DROP INDEX "registrations_event_email_prefix_idx";--> statement-breakpoint
DROP INDEX "outbox_emails_dedupe_key";--> statement-breakpoint
DROP INDEX "registrations_event_email_live_key";--> statement-breakpoint
DROP INDEX "tickets_booking_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_emails_dedupe_key" ON "outbox_emails" USING btree ("dedupe_key") WHERE "outbox_emails"."dedupe_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_event_email_live_key" ON "registrations" USING btree ("event_id",lower("email") text_pattern_ops) WHERE "registrations"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "tickets_booking_idx" ON "tickets" USING btree ("booking_id") WHERE "tickets"."booking_id" is not null;