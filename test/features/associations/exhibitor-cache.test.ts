import t, { type Test } from 'tap'
import { and, eq } from 'drizzle-orm'
import { associations, coExhibitors, contentVersions, standBookings, stands, vocabularyTerms } from '../../../src/db/schema.js'
import { appOver, build } from '../../helpers/app.js'
import { addMember, insertAssociation, insertBooking, insertExhibitor, inviteCoExhibitor, publishedEvent } from '../../helpers/exhibitors.js'

// The exhibitor list and the matches are kept in memory per API process under the content version of the event
// (exhibitor-cache.ts, triggers of migration 0007). Two apps over one database stand for two API processes: app
// `a` reads first (keeping its answers), every change is written to the database (as any process or tool would),
// and both apps must show it at once. Each kind of change the list or the matches show is made once.

const ctx = await build(t)
const b = await appOver(t, ctx.db, ctx.config)
const apps = { a: ctx.app, b }

const { event } = await publishedEvent(ctx)
const self = await insertExhibitor(ctx.db, event.id, 'A-01', { name: 'Elterninitiative Nord', fieldsOfActivity: ['education'], migrantOrganization: true })
const member = await ctx.account('exhibitor')
await addMember(ctx.db, self.association.id, member.id)
const partner = await insertExhibitor(ctx.db, event.id, 'B-01', { name: 'Bildungsverein Süd', fieldsOfActivity: ['education'] })

type Json = Record<string, any>
async function list(app: keyof typeof apps, headers: Record<string, string> = {}) {
  const res = await apps[app].inject({ method: 'GET', url: `/v1/events/${event.id}/exhibitors`, headers })
  return { status: res.statusCode, etag: res.headers.etag as string, body: res.body ? (res.json() as Json) : null, raw: res.body }
}
async function matches(app: keyof typeof apps, lang = 'en') {
  const res = await apps[app].inject({
    method: 'GET',
    url: `/v1/events/${event.id}/matches?associationId=${self.association.id}&lang=${lang}`,
    headers: member.auth,
  })
  t.equal(res.statusCode, 200, res.body)
  return res.json() as Json
}
const codes = (body: Json | null) => body!.items.map((i: Json) => i.stand.code)
const names = (body: Json) => body.items.map((i: Json) => i.association.name)

/** Both apps, read twice each (the second from memory), agree and satisfy `check`. */
async function bothSee(t: Test, what: string, check: (l: Json, m: Json) => void) {
  for (const app of ['a', 'b', 'a', 'b'] as const) {
    const [l, m] = [(await list(app)).body!, await matches(app)]
    check(l, m)
  }
  t.pass(what)
}

t.test('the first answers, kept', async (t) => {
  await bothSee(t, 'both exhibitors', (l, m) => {
    t.same(codes(l), ['A-01', 'B-01'])
    t.same(names(m), ['Bildungsverein Süd'])
  })
})

t.test('an approved booking appears, a request does not bump the version', async (t) => {
  const [before] = await ctx.db.select().from(contentVersions).where(eq(contentVersions.scope, `exhibitors:${event.id}`))
  const newcomer = await insertAssociation(ctx.db, { name: 'Kulturverein Eving', fieldsOfActivity: ['education'] })
  const booking = await insertBooking(ctx.db, event.id, newcomer.id, 'requested')
  const [after] = await ctx.db.select().from(contentVersions).where(eq(contentVersions.scope, `exhibitors:${event.id}`))
  t.same(after, before, 'a booking that is not approved shows nowhere: the kept answers stay valid')
  await bothSee(t, 'not yet', (l) => t.same(codes(l), ['A-01', 'B-01']))

  const [stand] = await ctx.db.insert(stands).values({ eventId: event.id, code: 'C-01' }).returning()
  await ctx.db.update(standBookings).set({ status: 'approved', standId: stand.id }).where(eq(standBookings.id, booking.id))
  await bothSee(t, 'approved: on the list and among the matches', (l, m) => {
    t.same(codes(l), ['A-01', 'B-01', 'C-01'])
    t.same(names(m), ['Bildungsverein Süd', 'Kulturverein Eving'])
  })
})

t.test('a profile edit, a stand renamed, a co-exhibitor confirmed', async (t) => {
  await ctx.db.update(associations).set({ name: 'Bildungsverein Dortmund-Süd' }).where(eq(associations.id, partner.association.id))
  await bothSee(t, 'the new name', (l, m) => {
    t.equal(l.items[1].association.name, 'Bildungsverein Dortmund-Süd')
    t.same(names(m), ['Bildungsverein Dortmund-Süd', 'Kulturverein Eving'])
  })

  await ctx.db.update(stands).set({ code: 'A-00', area: 'Foyer' }).where(eq(stands.id, self.stand.id))
  await bothSee(t, 'the new stand code and area', (l) => {
    t.same(codes(l), ['A-00', 'B-01', 'C-01'])
    t.equal(l.items[0].stand.area, 'Foyer')
  })

  const guest = await insertAssociation(ctx.db, { name: 'Frauentreff Nordstadt' })
  await inviteCoExhibitor(ctx.db, partner.booking.id, guest.id)
  await bothSee(t, 'an invitation shows nothing yet', (l) => t.same(l.items[1].coExhibitors, []))
  await ctx.db.update(coExhibitors).set({ status: 'confirmed' }).where(and(eq(coExhibitors.bookingId, partner.booking.id), eq(coExhibitors.associationId, guest.id)))
  await bothSee(t, 'confirmed: shown with the stand', (l) => t.same(l.items[1].coExhibitors.map((c: Json) => c.name), ['Frauentreff Nordstadt']))
  await ctx.db.update(associations).set({ name: 'Frauentreff Nordstadt e. V.' }).where(eq(associations.id, guest.id))
  await bothSee(t, "a co-exhibitor's own edit", (l) => t.same(l.items[1].coExhibitors.map((c: Json) => c.name), ['Frauentreff Nordstadt e. V.']))
})

t.test('a vocabulary label changes the reasons', async (t) => {
  const reason = (m: Json) => m.items[0].reasons.find((r: Json) => r.kind === 'field').text
  t.equal(reason(await matches('a')), 'Shared field of activity: Education')
  t.equal(reason(await matches('b')), 'Shared field of activity: Education')
  const [term] = await ctx.db.select().from(vocabularyTerms).where(and(eq(vocabularyTerms.kind, 'fieldsOfActivity'), eq(vocabularyTerms.key, 'education')))
  await ctx.db
    .update(vocabularyTerms)
    .set({ labels: { ...term.labels, en: 'Education and training' } })
    .where(and(eq(vocabularyTerms.kind, 'fieldsOfActivity'), eq(vocabularyTerms.key, 'education')))
  t.equal(reason(await matches('a')), 'Shared field of activity: Education and training')
  t.equal(reason(await matches('b')), 'Shared field of activity: Education and training')
})

t.test('a withdrawal and a deleted booking disappear', async (t) => {
  await ctx.db.update(standBookings).set({ status: 'withdrawn', standId: null }).where(eq(standBookings.id, partner.booking.id))
  await bothSee(t, 'withdrawn', (l, m) => {
    t.same(codes(l), ['A-00', 'C-01'])
    t.same(names(m), ['Kulturverein Eving'])
  })
  const [c] = await ctx.db.select().from(stands).where(eq(stands.code, 'C-01'))
  await ctx.db.delete(standBookings).where(eq(standBookings.standId, c.id))
  await bothSee(t, 'deleted', (l, m) => {
    t.same(codes(l), ['A-00'])
    t.same(names(m), [])
  })
})

t.test('ETag and If-None-Match: 304 while nothing shown changed, the same tag on every instance', async (t) => {
  const first = await list('a')
  t.match(first.etag, /^"[A-Za-z0-9_-]{27}"$/)
  t.equal((await list('b')).etag, first.etag, 'the tag comes from the body, not from the process')
  const again = await list('b', { 'if-none-match': first.etag })
  t.equal(again.status, 304)
  t.equal(again.raw, '')
  t.equal((await list('a', { 'if-none-match': `W/${first.etag}, "other"` })).status, 304, 'weak comparison, a list of tags')
  t.equal((await list('a', { 'if-none-match': '"stale"' })).status, 200)

  await ctx.db.update(associations).set({ description: 'Neu: Hausaufgabenhilfe.' }).where(eq(associations.id, self.association.id))
  const changed = await list('b', { 'if-none-match': first.etag })
  t.equal(changed.status, 200, 'a change gives the whole page again')
  t.not(changed.etag, first.etag)
  t.equal(changed.body!.items[0].association.description, 'Neu: Hausaufgabenhilfe.')
})

t.test('each page and language is kept apart', async (t) => {
  await insertExhibitor(ctx.db, event.id, 'D-01', { name: 'Sprachcafé Hörde', fieldsOfActivity: ['education'] })
  const whole = (await list('a')).body!
  t.same(codes(whole), ['A-00', 'D-01'])
  const one = await apps.a.inject({ method: 'GET', url: `/v1/events/${event.id}/exhibitors?limit=1` })
  t.same(codes(one.json()), ['A-00'])
  const next = await apps.a.inject({ method: 'GET', url: `/v1/events/${event.id}/exhibitors?limit=1&cursor=${one.json().nextCursor}` })
  t.same(codes(next.json()), ['D-01'])
  const de = await matches('a', 'de')
  const en = await matches('a', 'en')
  t.same(de.items.length, en.items.length)
  t.equal(de.items.length, 1)
  t.match(de.items[0].reasons[0].text, /^Gemeinsames Tätigkeitsfeld/)
  t.match(en.items[0].reasons[0].text, /^Shared field of activity/)
})
