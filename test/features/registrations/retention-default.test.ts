import t from 'tap'
import { eq } from 'drizzle-orm'
import { checkins, events, registrations, tickets } from '../../../src/db/schema.js'
import { loadConfig } from '../../../src/config.js'
import { retentionJob } from '../../../src/features/registrations/privacy.service.js'
import { doorSetup } from '../../helpers/door.js'

const DAY = 24 * 60 * 60 * 1000

t.test('RETENTION_DAYS_DEFAULT: 180 unless set; 1–3650', async (t) => {
  t.equal(loadConfig({}).retentionDaysDefault, 180)
  t.equal(loadConfig({ RETENTION_DAYS_DEFAULT: '30' }).retentionDaysDefault, 30)
  for (const bad of ['0', '3651', 'soon', '1.5']) t.throws(() => loadConfig({ RETENTION_DAYS_DEFAULT: bad }), /RETENTION_DAYS_DEFAULT/, bad)
})

// Every event gets a retention: its own retentionDays, else the default. Once it has passed, the job erases the
// visitors (as before), the names on the exhibitor passes and who scanned on the scan records; counts stay.
t.test('the default retention erases visitors, pass holder names and scanning staff of past events; counts kept', async (t) => {
  const d = await doorSetup(t)
  const { db } = d.ctx
  const past = await d.event()
  const recent = await d.event()
  const own = await d.event({ retentionDays: 400 })
  const now = new Date()
  const setup = async (event: { id?: unknown }, endedDaysAgo: number) => {
    const guest = await d.register(String(event.id), 2)
    const pass = await d.exhibitorPass(String(event.id), 'Fatma Öztürk')
    await db.insert(checkins).values({
      eventId: String(event.id),
      ticketId: guest.ticket.id,
      accountId: d.organizer.id,
      direction: 'entry',
      result: 'ok',
      people: 2,
      scannedAt: new Date(now.getTime() - endedDaysAgo * DAY),
    })
    const endsAt = new Date(now.getTime() - endedDaysAgo * DAY)
    await db.update(events).set({ startsAt: new Date(endsAt.getTime() - 8 * 3600_000), endsAt }).where(eq(events.id, String(event.id)))
    return { guest, pass }
  }
  const p = await setup(past, 181)
  const r = await setup(recent, 179)
  const o = await setup(own, 300)

  const job = retentionJob(db, { idleMs: 0 })
  t.equal(await job(now), 1, 'one registration erased: the past event’s')

  const reg = async (id: string) => (await db.select().from(registrations).where(eq(registrations.id, id)))[0]
  const ticket = async (id: string) => (await db.select().from(tickets).where(eq(tickets.id, id)))[0]
  const scans = async (eventId: string) => db.select().from(checkins).where(eq(checkins.eventId, eventId))
  const event = async (id: string) => (await db.select().from(events).where(eq(events.id, id)))[0]

  t.equal((await reg(p.guest.id)).name, 'Erased', 'past: the visitor is erased')
  t.equal((await reg(p.guest.id)).status, 'confirmed')
  t.equal((await ticket(p.pass.id)).holderName, null, 'past: the pass holder name is gone')
  t.equal((await ticket(p.pass.id)).revokedAt, null, 'the pass itself stays as it was')
  const pastScans = await scans(past.id)
  t.equal(pastScans.length, 1, 'the scan record stays')
  t.equal(pastScans[0].accountId, null, 'without the staff account')
  t.equal(pastScans[0].people, 2)
  t.equal((await event(past.id)).confirmedPeople, 2, 'counts kept')
  t.ok((await event(past.id)).personalDataErasedAt, 'marked done')

  for (const [label, x, e] of [['179 days ago', r, recent], ['its own 400 days', o, own]] as const) {
    t.equal((await reg(x.guest.id)).name.startsWith('Guest'), true, `${label}: the visitor stays`)
    t.equal((await ticket(x.pass.id)).holderName, 'Fatma Öztürk', `${label}: the pass name stays`)
    t.equal((await scans(e.id))[0].accountId, d.organizer.id, `${label}: the scan keeps its staff`)
  }

  // The visitor's own export says when: its event's retention, else the default.
  const exported = await d.inject('GET', `/v1/registrations/${r.guest.id}/personal-data`, { authorization: `Bearer ${r.guest.manageToken}` })
  const recentEnd = (await event(recent.id)).endsAt
  t.equal(exported.json().event.erasedAfter, new Date(recentEnd.getTime() + 180 * DAY).toISOString())

  // Two days later the recent event is due too; a shorter configured default brings the own-retention one no sooner.
  const later = new Date(now.getTime() + 2 * DAY)
  t.equal(await retentionJob(db, { idleMs: 0, defaultDays: 30 })(later), 1)
  t.equal((await ticket(r.pass.id)).holderName, null)
  t.equal((await ticket(o.pass.id)).holderName, 'Fatma Öztürk', 'an event’s own retentionDays wins over the default')
})
