import t from 'tap'
import { eq } from 'drizzle-orm'
import { meetings } from '../../../src/db/schema.js'
import { meetingsSetup, must } from '../../helpers/meetings.js'

const s = await meetingsSetup(t)
const { inject, organizer } = s
const code = (res: { statusCode: number; json(): { code?: string } }) => `${res.statusCode} ${res.statusCode >= 400 ? res.json().code : ''}`.trim()

t.test('settings: validated, replaced whole, slots derived', async (t) => {
  const event = await s.event()
  const start = new Date(event.startsAt).getTime()
  const at = (min: number) => new Date(start + min * 60_000).toISOString()
  const patch = (meetings: unknown) => inject('PATCH', `/v1/events/${event.id}`, organizer.auth, { meetings })
  t.equal(code(await patch({ enabled: true, slotMinutes: 5 })), '400 invalid_request', 'slotMinutes 10..60')
  t.equal(code(await patch({ enabled: true, windows: [{ startsAt: at(-60), endsAt: at(60) }] })), '400 invalid_request', 'a window before the event')
  t.equal(code(await patch({ enabled: true, windows: [{ startsAt: at(0), endsAt: at(60) }, { startsAt: at(30), endsAt: at(90) }] })), '400 invalid_request', 'overlapping windows')
  t.equal(code(await patch({ enabled: true, maxPerAssociation: 0 })), '400 invalid_request', 'maxPerAssociation >= 1')
  const ok = must(await patch({ enabled: true, slotMinutes: 25, windows: [{ startsAt: at(0), endsAt: at(60) }, { startsAt: at(120), endsAt: at(170) }] }), 200)
  t.same(ok.meetings, { enabled: true, slotMinutes: 25, windows: [{ startsAt: at(0), endsAt: at(60) }, { startsAt: at(120), endsAt: at(170) }], tables: 0, maxPerAssociation: 8 }, 'defaults fill the rest')
  const a = await s.exhibitor(event.id)
  const slots = must(await inject('GET', `/v1/events/${event.id}/meeting-slots?associationId=${a.id}`, a.member.auth), 200)
  t.same(slots.items.map((i: { startsAt: string }) => i.startsAt), [at(0), at(25), at(120), at(145)], 'cut from each window start, the short rest dropped')
  t.ok(slots.items.every((i: { free: boolean }) => i.free))
  const again = must(await patch({ enabled: false }), 200)
  t.same(again.meetings.windows, [], 'replaced whole')
})

t.test('request, accept at a slot, the places and the rules', async (t) => {
  const fair = await s.fair({ tables: 1, maxPerAssociation: 2 })
  const start = new Date(fair.startsAt).getTime()
  const slot = (i: number) => new Date(start + i * 20 * 60_000).toISOString()
  const [a, b, c, d] = [await s.exhibitor(fair.id), await s.exhibitor(fair.id), await s.exhibitor(fair.id), await s.exhibitor(fair.id)]
  const outsider = await s.association()

  t.equal(code(await inject('POST', `/v1/events/${fair.id}/meetings`, a.member.auth, { fromAssociationId: a.id, toAssociationId: outsider.id })), '409 not_exhibiting')
  t.equal(code(await inject('POST', `/v1/events/${fair.id}/meetings`, b.member.auth, { fromAssociationId: a.id, toAssociationId: b.id })), '403 forbidden', 'only members of the inviter')
  t.equal(
    code(await inject('POST', `/v1/events/${fair.id}/meetings`, a.member.auth, { fromAssociationId: a.id, toAssociationId: b.id, proposedSlots: [new Date(start + 60_000).toISOString()] })),
    '400 invalid_request',
    'a proposed slot must be a slot start',
  )
  const ab = await s.request(fair.id, a, b, { message: 'Lass uns reden', proposedSlots: [slot(1)] })
  t.equal(ab.status, 'requested')
  t.equal(code(await inject('POST', `/v1/events/${fair.id}/meetings`, b.member.auth, { fromAssociationId: b.id, toAssociationId: a.id })), '409 already_requested', 'whichever side asks')
  const mail = (await s.emailsTo(b.contactEmail)).find((e) => e.template === 'meeting')!
  t.match(mail.data, { kind: 'requested', message: 'Lass uns reden', otherName: a.name }, 'the invited side is emailed with the message')
  t.match(mail.data, { reasons: /./ }, '…and the reasons of the match')

  t.equal(code(await inject('POST', `/v1/meetings/${ab.id}/accept`, a.member.auth, {})), '403 forbidden', 'the inviter cannot accept')
  t.equal(code(await inject('POST', `/v1/meetings/${ab.id}/decline`, a.member.auth, {})), '403 forbidden', 'nor decline')
  t.equal(code(await inject('POST', `/v1/meetings/${ab.id}/reschedule`, a.member.auth, { startsAt: slot(2) })), '409 invalid_transition', 'a requested meeting is not rescheduled')
  t.equal(code(await inject('POST', `/v1/meetings/${ab.id}/accept`, c.member.auth, {})), '404 not_found', 'a stranger learns nothing')
  const accepted = must(await inject('POST', `/v1/meetings/${ab.id}/accept`, b.member.auth, {}), 200)
  t.match(accepted, { status: 'scheduled', startsAt: slot(1), place: { kind: 'stand', code: a.standCode } }, 'the proposed slot, at the inviter’s stand')
  t.ok((await s.emailsTo(a.contactEmail)).some((e) => e.template === 'meeting' && (e.data as { kind: string }).kind === 'scheduled'), 'the inviter hears')
  const reminders = (await s.emailsTo(a.contactEmail)).filter((e) => (e.data as { kind: string }).kind === 'reminder')
  t.equal(reminders.length, 1, 'a reminder is queued')
  t.equal(reminders[0].sendAfter.getTime(), start + 20 * 60_000 - 15 * 60_000, '15 minutes before')

  // c invites a at a's slot 1: a is busy
  const ca = await s.request(fair.id, c, a)
  t.equal(code(await inject('POST', `/v1/meetings/${ca.id}/accept`, a.member.auth, { startsAt: slot(1) })), '409 slot_taken', 'an association is never in two meetings at once')
  t.equal(code(await inject('POST', `/v1/meetings/${ca.id}/accept`, a.member.auth, { startsAt: new Date(start - 3600_000).toISOString() })), '400 invalid_request')
  t.match(must(await inject('POST', `/v1/meetings/${ca.id}/accept`, a.member.auth, { startsAt: slot(2) }), 200), { status: 'scheduled', place: { kind: 'stand', code: c.standCode } })
  // a now has 2 meetings = maxPerAssociation
  const da = await s.request(fair.id, d, a)
  t.equal(code(await inject('POST', `/v1/meetings/${da.id}/accept`, a.member.auth, {})), '409 meeting_limit')
  // cancelling frees both the slot and the count
  const cancelled = must(await inject('DELETE', `/v1/meetings/${ca.id}`, c.member.auth), 200)
  t.equal(cancelled.status, 'cancelled')
  t.equal(must(await inject('POST', `/v1/meetings/${da.id}/accept`, a.member.auth, {}), 200).status, 'accepted', 'no proposal: accepted, waiting for the scheduler')
  t.equal(code(await inject('POST', `/v1/meetings/${da.id}/accept`, a.member.auth, {})), '409 invalid_transition', 'accepting twice')
  const db_ = await s.request(fair.id, d, b)
  t.match(must(await inject('POST', `/v1/meetings/${db_.id}/accept`, b.member.auth, { startsAt: slot(3) }), 200), { place: { kind: 'stand', code: d.standCode } })
  t.equal(code(await inject('POST', `/v1/meetings/${da.id}/reschedule`, d.member.auth, { startsAt: slot(3) })), '409 slot_taken', 'd meets b then')
  t.match(must(await inject('POST', `/v1/meetings/${da.id}/reschedule`, a.member.auth, { startsAt: slot(4) }), 200), { startsAt: slot(4) })
  t.equal(code(await inject('POST', `/v1/meetings/${da.id}/held`, a.member.auth, {})), '409 invalid_transition', 'held before the start')
  await s.ctx.db.update(meetings).set({ startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 60_000) }).where(eq(meetings.id, da.id))
  t.equal(must(await inject('POST', `/v1/meetings/${da.id}/held`, d.member.auth, {}), 200).status, 'held')

  const declineMe = await s.request(fair.id, c, d)
  t.equal(must(await inject('POST', `/v1/meetings/${declineMe.id}/decline`, d.member.auth, { reason: 'Keine Zeit' }), 200).status, 'declined')
  t.equal(code(await inject('POST', `/v1/meetings/${declineMe.id}/accept`, d.member.auth, {})), '409 invalid_transition', 'accepting a declined meeting')
  t.equal(must(await inject('POST', `/v1/events/${fair.id}/meetings`, c.member.auth, { fromAssociationId: c.id, toAssociationId: d.id }), 201).status, 'requested', 'declined is not live')

  const list = must(await inject('GET', `/v1/associations/${a.id}/meetings?eventId=${fair.id}`, a.member.auth), 200)
  t.same(list.items.map((i: { status: string; direction: string }) => `${i.status}/${i.direction}`), ['held/received', 'scheduled/sent', 'cancelled/received'], 'by time, unscheduled last')
  t.equal(code(await inject('GET', `/v1/associations/${a.id}/meetings?eventId=${fair.id}`, b.member.auth)), '403 forbidden')
  const ics = await inject('GET', `/v1/associations/${a.id}/agenda.ics?eventId=${fair.id}`, a.member.auth)
  t.equal(ics.statusCode, 200)
  t.equal(ics.body.match(/BEGIN:VEVENT/g)?.length, 1, 'the scheduled meeting')
  const stats = must(await inject('GET', `/v1/events/${fair.id}/meetings/stats`, organizer.auth), 200)
  t.match(stats, { requested: 1, scheduled: 2, held: 1, declined: 1, cancelled: 1, associationsMeeting: 3 })
  t.equal(code(await inject('GET', `/v1/events/${fair.id}/meetings/stats`, a.member.auth)), '403 forbidden')
})

t.test('the scheduler places accepted meetings, never moves fixed ones, and is idempotent', async (t) => {
  const fair = await s.fair({ tables: 0 })
  const ex = [await s.exhibitor(fair.id), await s.exhibitor(fair.id), await s.exhibitor(fair.id), await s.exhibitor(fair.id)]
  const pairs = [
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 2],
    [2, 3],
  ]
  const ids: string[] = []
  for (const [i, j] of pairs) {
    const m = await s.request(fair.id, ex[i], ex[j])
    must(await inject('POST', `/v1/meetings/${m.id}/accept`, ex[j].member.auth, {}), 200)
    ids.push(m.id)
  }
  t.equal(code(await inject('POST', `/v1/events/${fair.id}/meetings/schedule`, ex[0].member.auth)), '403 forbidden')
  const first = must(await inject('POST', `/v1/events/${fair.id}/meetings/schedule`, organizer.auth), 200)
  t.same(first, { scheduled: 5, unplaced: [] })
  const rows = await s.ctx.db.select().from(meetings).where(eq(meetings.eventId, fair.id))
  for (const r of rows) t.equal(r.status, 'scheduled')
  const times = new Map(rows.map((r) => [r.id, r.startsAt!.toISOString()]))
  const second = must(await inject('POST', `/v1/events/${fair.id}/meetings/schedule`, organizer.auth), 200)
  t.same(second, { scheduled: 0, unplaced: [] }, 'a second run changes nothing')
  const after = await s.ctx.db.select().from(meetings).where(eq(meetings.eventId, fair.id))
  t.same(new Map(after.map((r) => [r.id, r.startsAt!.toISOString()])), times)
})
