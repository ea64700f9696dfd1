CREATE TABLE "program_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"room_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"topics" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"seats" integer NOT NULL,
	"reserved_people" integer DEFAULT 0 NOT NULL,
	"waitlist" boolean DEFAULT false NOT NULL,
	"reservation" text DEFAULT 'required' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"inside" integer DEFAULT 0 NOT NULL,
	"entries" integer DEFAULT 0 NOT NULL,
	"exits" integer DEFAULT 0 NOT NULL,
	"published_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "program_sessions_kind_check" CHECK ("program_sessions"."kind" in ('forum', 'talk', 'workshop', 'performance')),
	CONSTRAINT "program_sessions_status_check" CHECK ("program_sessions"."status" in ('draft', 'published', 'cancelled')),
	CONSTRAINT "program_sessions_reservation_check" CHECK ("program_sessions"."reservation" in ('required', 'open')),
	CONSTRAINT "program_sessions_times_check" CHECK ("program_sessions"."ends_at" > "program_sessions"."starts_at"),
	CONSTRAINT "program_sessions_seats_check" CHECK ("program_sessions"."seats" between 1 and 100000),
	CONSTRAINT "program_sessions_reserved_check" CHECK ("program_sessions"."reserved_people" between 0 and "program_sessions"."seats"),
	CONSTRAINT "program_sessions_inside_check" CHECK ("program_sessions"."inside" between 0 and "program_sessions"."seats")
);
--> statement-breakpoint
CREATE TABLE "rooms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"name" text NOT NULL,
	"capacity" integer NOT NULL,
	"accessible" boolean DEFAULT false NOT NULL,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "rooms_capacity_check" CHECK ("rooms"."capacity" between 1 and 100000)
);
--> statement-breakpoint
CREATE TABLE "session_attendance" (
	"session_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"inside" boolean DEFAULT false NOT NULL,
	"inside_people" integer DEFAULT 0 NOT NULL,
	"accepted_scans" integer DEFAULT 0 NOT NULL,
	"last_accepted_at" timestamp with time zone,
	"last_accepted_gate" text,
	CONSTRAINT "session_attendance_session_id_ticket_id_pk" PRIMARY KEY("session_id","ticket_id"),
	CONSTRAINT "session_attendance_inside_people_check" CHECK ("session_attendance"."inside_people" between 0 and 20 and ("session_attendance"."inside_people" > 0) = "session_attendance"."inside")
);
--> statement-breakpoint
CREATE TABLE "session_hosts" (
	"session_id" uuid NOT NULL,
	"association_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "session_hosts_session_id_association_id_pk" PRIMARY KEY("session_id","association_id")
);
--> statement-breakpoint
CREATE TABLE "session_reservations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"registration_id" uuid NOT NULL,
	"status" text NOT NULL,
	"people" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "session_reservations_status_check" CHECK ("session_reservations"."status" in ('reserved', 'waitlisted', 'cancelled')),
	CONSTRAINT "session_reservations_people_check" CHECK ("session_reservations"."people" between 1 and 20)
);
--> statement-breakpoint
ALTER TABLE "checkins" ADD COLUMN "session_id" uuid;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "session_reminder_minutes_before" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "scanners" ADD COLUMN "room_id" uuid;--> statement-breakpoint
ALTER TABLE "program_sessions" ADD CONSTRAINT "program_sessions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_sessions" ADD CONSTRAINT "program_sessions_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_attendance" ADD CONSTRAINT "session_attendance_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_attendance" ADD CONSTRAINT "session_attendance_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_hosts" ADD CONSTRAINT "session_hosts_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_hosts" ADD CONSTRAINT "session_hosts_association_id_associations_id_fk" FOREIGN KEY ("association_id") REFERENCES "public"."associations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_reservations" ADD CONSTRAINT "session_reservations_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_reservations" ADD CONSTRAINT "session_reservations_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_reservations" ADD CONSTRAINT "session_reservations_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "program_sessions_event_starts_idx" ON "program_sessions" USING btree ("event_id","starts_at","id");--> statement-breakpoint
CREATE INDEX "program_sessions_room_idx" ON "program_sessions" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "program_sessions_topics_idx" ON "program_sessions" USING gin ("topics");--> statement-breakpoint
CREATE INDEX "rooms_event_idx" ON "rooms" USING btree ("event_id","name");--> statement-breakpoint
CREATE INDEX "session_hosts_association_idx" ON "session_hosts" USING btree ("association_id");--> statement-breakpoint
CREATE UNIQUE INDEX "session_reservations_live_key" ON "session_reservations" USING btree ("session_id","registration_id") WHERE "session_reservations"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "session_reservations_session_status_idx" ON "session_reservations" USING btree ("session_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "session_reservations_registration_idx" ON "session_reservations" USING btree ("registration_id");--> statement-breakpoint
ALTER TABLE "scanners" ADD CONSTRAINT "scanners_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE set null ON UPDATE no action;