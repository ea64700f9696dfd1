CREATE TABLE "association_members" (
	"association_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "association_members_association_id_account_id_pk" PRIMARY KEY("association_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "associations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"legal_form" text,
	"district" text NOT NULL,
	"address" text,
	"website" text,
	"description" text,
	"fields_of_activity" text[] DEFAULT '{}'::text[] NOT NULL,
	"target_groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"migrant_organization" boolean NOT NULL,
	"contact_email" text NOT NULL,
	"contact_phone" text,
	"register_number" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, translate(lower(name || ' ' || coalesce(description, '')), 'şçğıöüäßéèêëáàâãåíìîïóòôõøúùûñłśźżćńąęčšžřýěů', 'scgiouaseeeeaaaaaiiiiooooouuunlszzcnaecszryeu'))) STORED
);
--> statement-breakpoint
CREATE TABLE "co_exhibitors" (
	"booking_id" uuid NOT NULL,
	"association_id" uuid NOT NULL,
	"status" text DEFAULT 'invited' NOT NULL,
	"token_hash" text NOT NULL,
	"responded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "co_exhibitors_booking_id_association_id_pk" PRIMARY KEY("booking_id","association_id")
);
--> statement-breakpoint
CREATE TABLE "stand_booking_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booking_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"stand_id" uuid,
	"actor_account_id" uuid,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stand_bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"association_id" uuid NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"stand_id" uuid,
	"preferred_stand_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"requirements" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"staff_passes" integer DEFAULT 2 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stand_bookings_status_check" CHECK ("stand_bookings"."status" in ('requested', 'approved', 'waitlisted', 'rejected', 'withdrawn', 'cancelled')),
	CONSTRAINT "stand_bookings_stand_check" CHECK (("stand_bookings"."status" = 'approved') = ("stand_bookings"."stand_id" is not null)),
	CONSTRAINT "stand_bookings_passes_check" CHECK ("stand_bookings"."staff_passes" between 0 and 50)
);
--> statement-breakpoint
CREATE TABLE "stands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"code" text NOT NULL,
	"area" text,
	"width_m" double precision,
	"depth_m" double precision,
	"price_cents" integer DEFAULT 0 NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"features" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"position" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stands_price_check" CHECK ("stands"."price_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "vocabulary_terms" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"labels" jsonb NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vocabulary_terms_kind_key_pk" PRIMARY KEY("kind","key"),
	CONSTRAINT "vocabulary_terms_kind_check" CHECK ("vocabulary_terms"."kind" in ('fieldsOfActivity', 'targetGroups', 'districts')),
	CONSTRAINT "vocabulary_terms_key_check" CHECK ("vocabulary_terms"."key" ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length("vocabulary_terms"."key") <= 40)
);
--> statement-breakpoint
ALTER TABLE "occupancy_shards" DROP CONSTRAINT "occupancy_shards_event_id_events_id_fk";
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "booking_id" uuid;--> statement-breakpoint
ALTER TABLE "association_members" ADD CONSTRAINT "association_members_association_id_associations_id_fk" FOREIGN KEY ("association_id") REFERENCES "public"."associations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "association_members" ADD CONSTRAINT "association_members_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_exhibitors" ADD CONSTRAINT "co_exhibitors_booking_id_stand_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."stand_bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_exhibitors" ADD CONSTRAINT "co_exhibitors_association_id_associations_id_fk" FOREIGN KEY ("association_id") REFERENCES "public"."associations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stand_booking_history" ADD CONSTRAINT "stand_booking_history_booking_id_stand_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."stand_bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stand_booking_history" ADD CONSTRAINT "stand_booking_history_actor_account_id_accounts_id_fk" FOREIGN KEY ("actor_account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stand_bookings" ADD CONSTRAINT "stand_bookings_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stand_bookings" ADD CONSTRAINT "stand_bookings_association_id_associations_id_fk" FOREIGN KEY ("association_id") REFERENCES "public"."associations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stand_bookings" ADD CONSTRAINT "stand_bookings_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stand_bookings" ADD CONSTRAINT "stand_bookings_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stands" ADD CONSTRAINT "stands_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "association_members_account_idx" ON "association_members" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "associations_search_idx" ON "associations" USING gin ("search");--> statement-breakpoint
CREATE INDEX "associations_fields_idx" ON "associations" USING gin ("fields_of_activity");--> statement-breakpoint
CREATE INDEX "associations_name_idx" ON "associations" USING btree (lower("name"),"id");--> statement-breakpoint
CREATE INDEX "associations_district_idx" ON "associations" USING btree ("district");--> statement-breakpoint
CREATE UNIQUE INDEX "co_exhibitors_token_hash_key" ON "co_exhibitors" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "co_exhibitors_association_idx" ON "co_exhibitors" USING btree ("association_id");--> statement-breakpoint
CREATE INDEX "stand_booking_history_booking_idx" ON "stand_booking_history" USING btree ("booking_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "stand_bookings_stand_approved_key" ON "stand_bookings" USING btree ("stand_id") WHERE "stand_bookings"."status" = 'approved';--> statement-breakpoint
CREATE UNIQUE INDEX "stand_bookings_association_live_key" ON "stand_bookings" USING btree ("event_id","association_id") WHERE "stand_bookings"."status" in ('requested', 'approved', 'waitlisted');--> statement-breakpoint
CREATE INDEX "stand_bookings_event_status_idx" ON "stand_bookings" USING btree ("event_id","status","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "stands_event_code_key" ON "stands" USING btree ("event_id",lower("code"));--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_booking_id_stand_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."stand_bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tickets_booking_idx" ON "tickets" USING btree ("booking_id");--> statement-breakpoint
-- The default vocabularies (src/features/associations/vocabulary.ts); admins extend and relabel them later.
INSERT INTO "vocabulary_terms" ("kind", "key", "labels", "position") VALUES
  ('fieldsOfActivity', 'culture', '{"de":"Kultur","en":"Culture","tr":"Kültür","ar":"الثقافة"}'::jsonb, 10),
  ('fieldsOfActivity', 'arts', '{"de":"Kunst und Musik","en":"Arts and music","tr":"Sanat ve müzik","ar":"الفنون والموسيقى"}'::jsonb, 20),
  ('fieldsOfActivity', 'education', '{"de":"Bildung","en":"Education","tr":"Eğitim","ar":"التعليم"}'::jsonb, 30),
  ('fieldsOfActivity', 'language', '{"de":"Sprachförderung","en":"Language learning","tr":"Dil eğitimi","ar":"تعليم اللغة"}'::jsonb, 40),
  ('fieldsOfActivity', 'sport', '{"de":"Sport","en":"Sport","tr":"Spor","ar":"الرياضة"}'::jsonb, 50),
  ('fieldsOfActivity', 'religion', '{"de":"Religion","en":"Religion","tr":"Din","ar":"الدين"}'::jsonb, 60),
  ('fieldsOfActivity', 'integration', '{"de":"Integration","en":"Integration","tr":"Entegrasyon","ar":"الاندماج"}'::jsonb, 70),
  ('fieldsOfActivity', 'environment', '{"de":"Umwelt und Klima","en":"Environment and climate","tr":"Çevre ve iklim","ar":"البيئة والمناخ"}'::jsonb, 80),
  ('fieldsOfActivity', 'health', '{"de":"Gesundheit","en":"Health","tr":"Sağlık","ar":"الصحة"}'::jsonb, 90),
  ('fieldsOfActivity', 'neighbourhood', '{"de":"Nachbarschaft und Quartier","en":"Neighbourhood","tr":"Mahalle ve komşuluk","ar":"الجوار والحي"}'::jsonb, 100),
  ('fieldsOfActivity', 'counselling', '{"de":"Beratung und soziale Hilfe","en":"Counselling and social support","tr":"Danışmanlık ve sosyal destek","ar":"الاستشارة والدعم الاجتماعي"}'::jsonb, 110),
  ('fieldsOfActivity', 'anti-discrimination', '{"de":"Antidiskriminierung","en":"Anti-discrimination","tr":"Ayrımcılıkla mücadele","ar":"مكافحة التمييز"}'::jsonb, 120),
  ('fieldsOfActivity', 'development-cooperation', '{"de":"Entwicklungszusammenarbeit","en":"Development cooperation","tr":"Kalkınma işbirliği","ar":"التعاون الإنمائي"}'::jsonb, 130),
  ('fieldsOfActivity', 'leisure', '{"de":"Freizeit und Geselligkeit","en":"Leisure and social life","tr":"Boş zaman ve sosyal etkinlikler","ar":"الترفيه والأنشطة الاجتماعية"}'::jsonb, 140),
  ('targetGroups', 'children', '{"de":"Kinder","en":"Children","tr":"Çocuklar","ar":"الأطفال"}'::jsonb, 10),
  ('targetGroups', 'youth', '{"de":"Jugendliche","en":"Young people","tr":"Gençler","ar":"الشباب"}'::jsonb, 20),
  ('targetGroups', 'parents', '{"de":"Eltern und Familien","en":"Parents and families","tr":"Ebeveynler ve aileler","ar":"الأهالي والأسر"}'::jsonb, 30),
  ('targetGroups', 'women', '{"de":"Frauen","en":"Women","tr":"Kadınlar","ar":"النساء"}'::jsonb, 40),
  ('targetGroups', 'seniors', '{"de":"Seniorinnen und Senioren","en":"Older people","tr":"Yaşlılar","ar":"كبار السن"}'::jsonb, 50),
  ('targetGroups', 'refugees', '{"de":"Geflüchtete","en":"Refugees","tr":"Mülteciler","ar":"اللاجئون"}'::jsonb, 60),
  ('targetGroups', 'migrants', '{"de":"Zugewanderte","en":"Migrants","tr":"Göçmenler","ar":"المهاجرون"}'::jsonb, 70),
  ('targetGroups', 'people-with-disabilities', '{"de":"Menschen mit Behinderung","en":"People with disabilities","tr":"Engelli bireyler","ar":"الأشخاص ذوو الإعاقة"}'::jsonb, 80),
  ('targetGroups', 'lgbtiq', '{"de":"LSBTIQ*","en":"LGBTIQ+","tr":"LGBTİ+","ar":"مجتمع الميم"}'::jsonb, 90),
  ('targetGroups', 'jobseekers', '{"de":"Arbeitsuchende","en":"Jobseekers","tr":"İş arayanlar","ar":"الباحثون عن عمل"}'::jsonb, 100),
  ('districts', 'innenstadt-west', '{"de":"Innenstadt-West","en":"Innenstadt-West","tr":"Innenstadt-West","ar":"وسط المدينة الغربي"}'::jsonb, 10),
  ('districts', 'innenstadt-nord', '{"de":"Innenstadt-Nord","en":"Innenstadt-Nord","tr":"Innenstadt-Nord","ar":"وسط المدينة الشمالي"}'::jsonb, 20),
  ('districts', 'innenstadt-ost', '{"de":"Innenstadt-Ost","en":"Innenstadt-Ost","tr":"Innenstadt-Ost","ar":"وسط المدينة الشرقي"}'::jsonb, 30),
  ('districts', 'eving', '{"de":"Eving","en":"Eving","tr":"Eving","ar":"إيفينغ"}'::jsonb, 40),
  ('districts', 'scharnhorst', '{"de":"Scharnhorst","en":"Scharnhorst","tr":"Scharnhorst","ar":"شارنهورست"}'::jsonb, 50),
  ('districts', 'brackel', '{"de":"Brackel","en":"Brackel","tr":"Brackel","ar":"براكل"}'::jsonb, 60),
  ('districts', 'aplerbeck', '{"de":"Aplerbeck","en":"Aplerbeck","tr":"Aplerbeck","ar":"أبلربيك"}'::jsonb, 70),
  ('districts', 'hoerde', '{"de":"Hörde","en":"Hörde","tr":"Hörde","ar":"هورده"}'::jsonb, 80),
  ('districts', 'hombruch', '{"de":"Hombruch","en":"Hombruch","tr":"Hombruch","ar":"هومبروخ"}'::jsonb, 90),
  ('districts', 'luetgendortmund', '{"de":"Lütgendortmund","en":"Lütgendortmund","tr":"Lütgendortmund","ar":"لوتغندورتموند"}'::jsonb, 100),
  ('districts', 'huckarde', '{"de":"Huckarde","en":"Huckarde","tr":"Huckarde","ar":"هوكارده"}'::jsonb, 110),
  ('districts', 'mengede', '{"de":"Mengede","en":"Mengede","tr":"Mengede","ar":"مينغيده"}'::jsonb, 120)
ON CONFLICT DO NOTHING;
