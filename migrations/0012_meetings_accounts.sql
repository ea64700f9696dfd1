CREATE TABLE "meeting_claims" (
	"meeting_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"holder" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	CONSTRAINT "meeting_claims_meeting_id_holder_pk" PRIMARY KEY("meeting_id","holder"),
	CONSTRAINT "meeting_claims_times_check" CHECK ("meeting_claims"."ends_at" > "meeting_claims"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "meeting_counts" (
	"event_id" uuid NOT NULL,
	"association_id" uuid NOT NULL,
	"active" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "meeting_counts_event_id_association_id_pk" PRIMARY KEY("event_id","association_id"),
	CONSTRAINT "meeting_counts_active_check" CHECK ("meeting_counts"."active" >= 0)
);
--> statement-breakpoint
CREATE TABLE "meeting_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"starts_at" timestamp with time zone,
	"actor_account_id" uuid,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meetings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"from_association_id" uuid NOT NULL,
	"to_association_id" uuid NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"message" text,
	"proposed_slots" timestamp with time zone[] DEFAULT '{}'::timestamptz[] NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"place_kind" text,
	"place_code" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meetings_status_check" CHECK ("meetings"."status" in ('requested', 'accepted', 'scheduled', 'held', 'declined', 'cancelled')),
	CONSTRAINT "meetings_pair_check" CHECK ("meetings"."from_association_id" <> "meetings"."to_association_id"),
	CONSTRAINT "meetings_time_check" CHECK (("meetings"."status" in ('scheduled', 'held')) = ("meetings"."starts_at" is not null and "meetings"."ends_at" is not null and "meetings"."place_code" is not null)),
	CONSTRAINT "meetings_place_kind_check" CHECK ("meetings"."place_kind" is null or "meetings"."place_kind" in ('stand', 'table'))
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "language" text DEFAULT 'de' NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "deactivated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "personal_data_erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "meetings" jsonb DEFAULT '{"enabled":false,"slotMinutes":20,"windows":[],"tables":0,"maxPerAssociation":8}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "magic_links" ADD COLUMN "purpose" text DEFAULT 'login' NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "via" text DEFAULT 'password' NOT NULL;--> statement-breakpoint
ALTER TABLE "meeting_claims" ADD CONSTRAINT "meeting_claims_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_claims" ADD CONSTRAINT "meeting_claims_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_counts" ADD CONSTRAINT "meeting_counts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_counts" ADD CONSTRAINT "meeting_counts_association_id_associations_id_fk" FOREIGN KEY ("association_id") REFERENCES "public"."associations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_history" ADD CONSTRAINT "meeting_history_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_history" ADD CONSTRAINT "meeting_history_actor_account_id_accounts_id_fk" FOREIGN KEY ("actor_account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_from_association_id_associations_id_fk" FOREIGN KEY ("from_association_id") REFERENCES "public"."associations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_to_association_id_associations_id_fk" FOREIGN KEY ("to_association_id") REFERENCES "public"."associations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "meeting_history_meeting_idx" ON "meeting_history" USING btree ("meeting_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "meetings_pair_live_key" ON "meetings" USING btree ("event_id",least("from_association_id", "to_association_id"),greatest("from_association_id", "to_association_id")) WHERE "meetings"."status" in ('requested', 'accepted', 'scheduled');--> statement-breakpoint
CREATE INDEX "meetings_event_status_idx" ON "meetings" USING btree ("event_id","status");--> statement-breakpoint
CREATE INDEX "meetings_from_idx" ON "meetings" USING btree ("from_association_id","event_id");--> statement-breakpoint
CREATE INDEX "meetings_to_idx" ON "meetings" USING btree ("to_association_id","event_id");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_language_check" CHECK ("accounts"."language" in ('de', 'en', 'tr', 'ar'));