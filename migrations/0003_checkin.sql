CREATE TABLE "checkins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"scanner_id" uuid,
	"account_id" uuid,
	"gate" text,
	"direction" text NOT NULL,
	"result" text NOT NULL,
	"reason" text,
	"people" integer NOT NULL,
	"scanned_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"nonce" text,
	"previous_at" timestamp with time zone,
	"previous_gate" text,
	CONSTRAINT "checkins_direction_check" CHECK ("checkins"."direction" in ('entry', 'exit')),
	CONSTRAINT "checkins_result_check" CHECK (("checkins"."result" = 'ok') = ("checkins"."reason" is null) and "checkins"."result" in ('ok', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "invalid_scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"scanner_id" uuid,
	"account_id" uuid,
	"gate" text,
	"count" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "occupancy_shards" (
	"event_id" uuid NOT NULL,
	"shard" smallint NOT NULL,
	"inside" integer DEFAULT 0 NOT NULL,
	"entries" integer DEFAULT 0 NOT NULL,
	"exits" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "occupancy_shards_event_id_shard_pk" PRIMARY KEY("event_id","shard")
);
--> statement-breakpoint
CREATE TABLE "scanners" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"label" text NOT NULL,
	"gate" text,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "inside" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "inside_people" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "accepted_scans" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "last_accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "last_accepted_gate" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_name" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, translate(lower(coalesce(holder_name, '')), 'şçğıöüäßéèêëáàâãåíìîïóòôõøúùûñłśźżćńąęčšžřýěů', 'scgiouaseeeeaaaaaiiiiooooouuunlszzcnaecszryeu'))) STORED;--> statement-breakpoint
ALTER TABLE "invalid_scans" ADD CONSTRAINT "invalid_scans_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "occupancy_shards" ADD CONSTRAINT "occupancy_shards_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scanners" ADD CONSTRAINT "scanners_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scanners" ADD CONSTRAINT "scanners_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "checkins_scanner_nonce_key" ON "checkins" USING btree ("scanner_id","nonce") WHERE "checkins"."nonce" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "checkins_account_nonce_key" ON "checkins" USING btree ("event_id","account_id","nonce") WHERE "checkins"."nonce" is not null and "checkins"."scanner_id" is null;--> statement-breakpoint
CREATE INDEX "checkins_event_scanned_idx" ON "checkins" USING btree ("event_id","scanned_at");--> statement-breakpoint
CREATE INDEX "checkins_ticket_accepted_idx" ON "checkins" USING btree ("ticket_id","scanned_at") WHERE "checkins"."result" = 'ok';--> statement-breakpoint
CREATE INDEX "invalid_scans_event_idx" ON "invalid_scans" USING btree ("event_id","first_at");--> statement-breakpoint
CREATE UNIQUE INDEX "scanners_token_hash_key" ON "scanners" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "scanners_event_created_idx" ON "scanners" USING btree ("event_id","created_at","id");--> statement-breakpoint
CREATE INDEX "registrations_event_email_prefix_idx" ON "registrations" USING btree ("event_id",lower("email") text_pattern_ops) WHERE "registrations"."status" = 'confirmed';--> statement-breakpoint
CREATE INDEX "tickets_search_name_idx" ON "tickets" USING gin ("search_name");--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_inside_people_check" CHECK ("tickets"."inside_people" between 0 and 20 and ("tickets"."inside_people" > 0) = "tickets"."inside");