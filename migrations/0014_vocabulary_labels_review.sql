-- Three seed labels reviewed for natural Turkish and Arabic (issue 19). A label an admin has changed since is left
-- alone: each update applies only while the label is still the seed's.
-- tr "Yaşlılar" (the old, the aged: blunt) → "Yaşlı bireyler", like "Engelli bireyler" in the same list.
UPDATE "vocabulary_terms" SET "labels" = jsonb_set("labels", '{tr}', '"Yaşlı bireyler"')
WHERE "kind" = 'targetGroups' AND "key" = 'seniors' AND "labels"->>'tr' = 'Yaşlılar';--> statement-breakpoint
-- tr "Ebeveynler" is the formal, bookish word; "Anne babalar" is what parents' associations call themselves.
UPDATE "vocabulary_terms" SET "labels" = jsonb_set("labels", '{tr}', '"Anne babalar ve aileler"')
WHERE "kind" = 'targetGroups' AND "key" = 'parents' AND "labels"->>'tr' = 'Ebeveynler ve aileler';--> statement-breakpoint
-- ar "الأهالي" also means the local population; "الآباء والأمهات" says parents without doubt.
UPDATE "vocabulary_terms" SET "labels" = jsonb_set("labels", '{ar}', '"الآباء والأمهات والأسر"')
WHERE "kind" = 'targetGroups' AND "key" = 'parents' AND "labels"->>'ar' = 'الأهالي والأسر';
