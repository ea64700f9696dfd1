import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { and, eq, sql } from 'drizzle-orm'
import { events, idempotencyKeys, outboxEmails, registrations, registrationTokens, tickets } from '../../../src/db/schema.js'
import { hashToken } from '../../../src/features/auth/tokens.js'
import { eraseExpiredRegistrations, retentionJob } from '../../../src/features/registrations/privacy.service.js'
import { withoutSecrets } from '../../../src/mail/email-export.js'
import { build, eventBody } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

// The person's rights over their registration: the export of everything stored, erasure, and the retention job.

type Auth = { authorization: string } | undefined
const DAY = 24 * 60 * 60 * 1000

async function setup(t: Test) {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers?: Auth, payload?: unknown) =>
    ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })

  /** A published event with `organizer` assigned. */
  async function event(overrides: Record<string, unknown> = {}) {
    const created = await inject('POST', '/v1/events', admin.auth, eventBody(overrides))
    t.equal(created.statusCode, 201, 'event created', { body: created.body })
    const id: string = created.json().id
    t.equal((await inject('PUT', `/v1/events/${id}/organizers/${organizer.id}`, admin.auth)).statusCode, 200)
    t.equal((await inject('POST', `/v1/events/${id}/publish`, admin.auth)).statusCode, 200)
    return id
  }

  async function register(eventId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/events/${eventId}/registrations`,
      headers,
      payload: { consent: { privacy: true }, ...body },
    })
    t.equal(res.statusCode, 201, `registered ${body.email}`, { body: res.body })
    const created = res.json()
    return { id: created.id as string, token: created.manageToken as string, auth: { authorization: `Bearer ${created.manageToken}` }, created }
  }

  return { ...ctx, admin, organizer, inject, event, register }
}

t.test('withoutSecrets replaces every token, wherever it sits in the data', async (t) => {
  const token = `vmr_${'a'.repeat(43)}`
  const magic = `vml_${'B-_9'.repeat(10)}xyz`
  t.same(
    withoutSecrets({
      manageUrl: `https://messe.example/registrations/1?token=${token}`,
      nested: [{ loginUrl: `https://messe.example/login?token=${magic}&x=1` }],
      partySize: 2,
      promoted: true,
      note: null,
    }),
    {
      manageUrl: 'https://messe.example/registrations/1?token=vmr_REDACTED',
      nested: [{ loginUrl: 'https://messe.example/login?token=vml_REDACTED&x=1' }],
      partySize: 2,
      promoted: true,
      note: null,
    },
  )
})

t.test('personal-data export', async (t) => {
  const ctx = await setup(t)
  const eventId = await ctx.event()
  const anna = await ctx.register(
    eventId,
    { email: 'Anna.Schmidt@example.org', name: 'Anna Schmidt', partySize: 2, language: 'en', accessibilityNeeds: 'Rollstuhl' },
    { 'idempotency-key': 'anna-1' },
  )
  // A retry with the same key: a second manage token for the same registration.
  const replay = await ctx.register(
    eventId,
    { email: 'Anna.Schmidt@example.org', name: 'Anna Schmidt', partySize: 2, language: 'en', accessibilityNeeds: 'Rollstuhl' },
    { 'idempotency-key': 'anna-1' },
  )
  t.equal(replay.id, anna.id)
  const bob = await ctx.register(eventId, { email: 'bob@example.org', name: 'Bob' })
  // An announcement reaches Anna too; an email of another event to her address is not part of this export.
  const announced = await ctx.inject('POST', `/v1/events/${eventId}/announcements`, ctx.organizer.auth, {
    audience: 'visitors',
    subject: 'Parkplätze',
    body: 'Bitte das Parkhaus West nutzen.',
  })
  t.equal(announced.statusCode, 202)
  const otherEvent = await ctx.event()
  await ctx.register(otherEvent, { email: 'anna.schmidt@example.org', name: 'Anna Schmidt' })

  const res = await ctx.inject('GET', `/v1/registrations/${anna.id}/personal-data`, anna.auth)
  t.equal(res.statusCode, 200, 'its own token reads it', { body: res.body.slice(0, 400) })
  t.equal(res.headers['content-disposition'], `attachment; filename="personal-data-${anna.id}.json"`)
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(String(res.headers['content-type']), /^application\/json/)
  const data = res.json()

  t.match(data.registration, {
    id: anna.id,
    eventId,
    email: 'Anna.Schmidt@example.org',
    name: 'Anna Schmidt',
    partySize: 2,
    language: 'en',
    accessibilityNeeds: 'Rollstuhl',
    status: 'confirmed',
    cancelledAt: null,
    erasedAt: null,
  })
  t.match(data.registration.consentPrivacyAt, /^\d{4}-\d\d-\d\dT/)
  t.match(data.event, { id: eventId, retentionDays: null, erasedAfter: /^\d{4}-/ }) // null retentionDays: the default applies
  t.equal(data.tickets.length, 1)
  t.same(Object.keys(data.tickets[0]).sort(), ['admits', 'code', 'createdAt', 'holderName', 'id', 'revokedAt'])
  t.match(data.tickets[0], { id: anna.created.ticket.id, code: anna.created.ticket.code, admits: 2, holderName: 'Anna Schmidt', revokedAt: null })
  t.equal(data.manageTokens.length, 2, 'both manage links')
  for (const token of data.manageTokens) t.same(Object.keys(token), ['createdAt'], 'only when, never the hash')
  t.same(data.idempotencyKeys.map((k: { key: string }) => k.key), ['anna-1'])

  const templates = data.emails.map((e: { template: string }) => e.template).sort()
  t.same(templates, ['announcement', 'registration-confirmed'], 'her emails of this event only (a replay sends none)')
  const confirmation = data.emails.find((e: { template: string }) => e.template === 'registration-confirmed')
  t.match(confirmation, { to: 'Anna.Schmidt@example.org', locale: 'en', status: 'queued', sentAt: null })
  t.match(confirmation.data, { name: 'Anna Schmidt', partySize: 2, registrationId: anna.id })
  t.match(confirmation.data.manageUrl, new RegExp(`/registrations/${anna.id}\\?token=vmr_REDACTED$`))
  for (const secret of [anna.token, replay.token, hashToken(anna.token), hashToken(replay.token)]) {
    t.notOk(res.body.includes(secret), 'no token and no token hash anywhere in the export')
  }
  t.notOk(res.body.includes('bob@example.org'), "nothing of other people's")

  // Who may read it.
  problem(t, await ctx.inject('GET', `/v1/registrations/${anna.id}/personal-data`), 401, 'unauthenticated')
  problem(t, await ctx.inject('GET', `/v1/registrations/${anna.id}/personal-data`, bob.auth), 404, 'not_found')
  const otherOrganizer = await ctx.account('organizer')
  problem(t, await ctx.inject('GET', `/v1/registrations/${anna.id}/personal-data`, otherOrganizer.auth), 404, 'not_found')
  t.equal((await ctx.inject('GET', `/v1/registrations/${anna.id}/personal-data`, ctx.organizer.auth)).statusCode, 200, 'its organizer')
  t.equal((await ctx.inject('GET', `/v1/registrations/${anna.id}/personal-data`, ctx.admin.auth)).statusCode, 200, 'admin')
})

t.test('erase', async (t) => {
  const ctx = await setup(t)
  const eventId = await ctx.event({ visitorCapacity: 10 })
  const body = { email: 'Cem@Example.org', name: 'Cem Yılmaz', partySize: 3, language: 'tr', accessibilityNeeds: 'Gebärdensprache' }
  const cem = await ctx.register(eventId, body, { 'idempotency-key': 'cem-1' })
  const dana = await ctx.register(eventId, { email: 'dana@example.org', name: 'Dana' })
  // One of Cem's emails went out already; the other is still queued.
  const [sentRow] = await ctx.db
    .update(outboxEmails)
    .set({ status: 'sent', sentAt: new Date(), smtpResponse: '250 OK <Cem@Example.org>' })
    .where(and(eq(outboxEmails.toAddress, 'Cem@Example.org'), eq(outboxEmails.template, 'registration-confirmed')))
    .returning()
  t.ok(sentRow, 'the confirmation counts as sent')
  const announced = await ctx.inject('POST', `/v1/events/${eventId}/announcements`, ctx.organizer.auth, {
    audience: 'visitors',
    subject: 'Parkplätze',
    body: 'Bitte das Parkhaus West nutzen.',
  })
  t.equal(announced.statusCode, 202)
  const confirmedBefore = (await ctx.db.select().from(events).where(eq(events.id, eventId)))[0].confirmedPeople
  t.equal(confirmedBefore, 4)

  // Who may erase: nobody but its token and the event's staff, and they learn nothing.
  const otherOrganizer = await ctx.account('organizer')
  problem(t, await ctx.inject('POST', `/v1/registrations/${cem.id}/erase`), 401, 'unauthenticated')
  problem(t, await ctx.inject('POST', `/v1/registrations/${cem.id}/erase`, dana.auth), 404, 'not_found')
  problem(t, await ctx.inject('POST', `/v1/registrations/${cem.id}/erase`, otherOrganizer.auth), 404, 'not_found')
  const untouched = await ctx.db.select().from(registrations).where(eq(registrations.id, cem.id))
  t.equal(untouched[0].erasedAt, null, 'refused requests changed nothing')

  const res = await ctx.inject('POST', `/v1/registrations/${cem.id}/erase`, cem.auth)
  t.equal(res.statusCode, 200, { body: res.body.slice(0, 400) })
  const erased = res.json()
  t.match(erased, {
    id: cem.id,
    email: `erased-${cem.id}@invalid`,
    name: 'Erased',
    accessibilityNeeds: null,
    status: 'confirmed',
    partySize: 3,
    language: 'tr',
    ticket: { id: cem.created.ticket.id, code: cem.created.ticket.code },
  })

  const [row] = await ctx.db.select().from(registrations).where(eq(registrations.id, cem.id))
  t.ok(row.erasedAt, 'erased_at set')
  t.equal(row.status, 'confirmed', 'erasing is not cancelling')
  t.equal(row.partySize, 3)
  const [event] = await ctx.db.select().from(events).where(eq(events.id, eventId))
  t.equal(event.confirmedPeople, confirmedBefore, "the event's count is unchanged")
  const [ticket] = await ctx.db.select().from(tickets).where(eq(tickets.registrationId, cem.id))
  t.match(ticket, { holderName: 'Erased', revokedAt: null, admits: 3 }, 'the ticket still admits the party')
  t.same(await ctx.db.select().from(registrationTokens).where(eq(registrationTokens.registrationId, cem.id)), [], 'every manage token revoked')
  const [key] = await ctx.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.registrationId, cem.id))
  t.equal(key.fingerprint, 'erased')

  const mail = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.eventId, eventId))
  t.notOk(mail.some((m) => m.toAddress.toLowerCase() === 'cem@example.org'), 'no email keeps the address')
  const cemMail = mail.filter((m) => m.toAddress === `erased-${cem.id}@invalid`)
  t.equal(cemMail.length, 2, 'confirmation and announcement, scrubbed but kept')
  for (const m of cemMail) {
    t.same(m.data, {}, `${m.template}: data scrubbed`)
    t.equal(m.smtpResponse, null)
  }
  t.match(cemMail.find((m) => m.template === 'registration-confirmed'), { status: 'sent', sentAt: sentRow.sentAt }, 'sent stays sent')
  t.match(cemMail.find((m) => m.template === 'announcement'), { status: 'cancelled' }, 'queued is cancelled')
  const danaMail = mail.filter((m) => m.toAddress === 'dana@example.org')
  t.equal(danaMail.length, 2)
  t.ok(danaMail.every((m) => m.status === 'queued' && m.data.name === 'Dana'), "others' emails untouched")
  const [danaRow] = await ctx.db.select().from(registrations).where(eq(registrations.id, dana.id))
  t.match(danaRow, { name: 'Dana', email: 'dana@example.org', erasedAt: null })

  // The token that erased is revoked like the others: the erase answer was its last read.
  problem(t, await ctx.inject('GET', `/v1/registrations/${cem.id}`, cem.auth), 401, 'unauthenticated')

  // Erasing again changes nothing and answers the same.
  const again = await ctx.inject('POST', `/v1/registrations/${cem.id}/erase`, ctx.organizer.auth)
  t.equal(again.statusCode, 200)
  t.same({ ...again.json(), updatedAt: undefined }, { ...erased, updatedAt: undefined })
  const [rowAgain] = await ctx.db.select().from(registrations).where(eq(registrations.id, cem.id))
  t.same(rowAgain.erasedAt, row.erasedAt, 'erased_at kept from the first erasure')
  t.same(rowAgain.updatedAt, row.updatedAt)

  // The export now shows the placeholders, and the emails without their data.
  const exported = (await ctx.inject('GET', `/v1/registrations/${cem.id}/personal-data`, ctx.admin.auth)).json()
  t.match(exported.registration, { name: 'Erased', email: `erased-${cem.id}@invalid`, accessibilityNeeds: null })
  t.match(exported.registration.erasedAt, /^\d{4}-/)
  t.same(exported.manageTokens, [])
  t.same(exported.emails.map((e: { data: object }) => e.data), [{}, {}])

  // A late retry of the original request is refused rather than registering the erased data again;
  // the address itself is free to register anew.
  const retry = await ctx.app.inject({
    method: 'POST',
    url: `/v1/events/${eventId}/registrations`,
    headers: { 'idempotency-key': 'cem-1' },
    payload: { consent: { privacy: true }, ...body },
  })
  problem(t, retry, 409, 'idempotency_mismatch')
  await ctx.register(eventId, { ...body, partySize: 1 })
})

t.test('events carry an organizer-settable retention', async (t) => {
  const ctx = await setup(t)
  const created = await ctx.inject('POST', '/v1/events', ctx.admin.auth, eventBody({ retentionDays: 90 }))
  t.equal(created.statusCode, 201)
  t.equal(created.json().retentionDays, 90)
  const eventId = created.json().id
  await ctx.inject('PUT', `/v1/events/${eventId}/organizers/${ctx.organizer.id}`, ctx.admin.auth)
  const patch = (retentionDays: unknown) => ctx.inject('PATCH', `/v1/events/${eventId}`, ctx.organizer.auth, { retentionDays })
  const set = await patch(30)
  t.equal(set.statusCode, 200)
  t.equal(set.json().retentionDays, 30)
  t.equal((await patch(null)).json().retentionDays, null, 'null: kept until erased')
  for (const bad of [0, 3651, 1.5, '30']) {
    const res = await patch(bad)
    problem(t, res, 400, 'invalid_request')
    t.equal(res.json().errors[0].path, '/body/retentionDays')
  }
  t.equal((await ctx.inject('GET', `/v1/events/${eventId}`, ctx.admin.auth)).json().retentionDays, null)
})

t.test('retention erases the registrations of events past their retention, in batches', async (t) => {
  const ctx = await setup(t)
  const expired = await ctx.event({ retentionDays: 30 })
  const recent = await ctx.event({ retentionDays: 30 })
  const keptForever = await ctx.event()
  const people = async (eventId: string, prefix: string, n: number) => {
    const ids: string[] = []
    for (let i = 0; i < n; i++) ids.push((await ctx.register(eventId, { email: `${prefix}${i}@example.org`, name: `${prefix} ${i}` })).id)
    return ids
  }
  const expiredIds = await people(expired, 'old', 3)
  const recentIds = await people(recent, 'new', 2)
  const keptIds = await people(keptForever, 'kept', 1)

  // The fairs took place: 40 days ago (past its 30 days), 10 days ago, and a year ago without a retention.
  const now = new Date()
  const endedDaysAgo = async (eventId: string, days: number) => {
    const endsAt = new Date(now.getTime() - days * DAY)
    await ctx.db
      .update(events)
      .set({ startsAt: new Date(endsAt.getTime() - 8 * 60 * 60 * 1000), endsAt })
      .where(eq(events.id, eventId))
  }
  await endedDaysAgo(expired, 40)
  await endedDaysAgo(recent, 10)
  await endedDaysAgo(keptForever, 100)
  const erasedIds = async () =>
    (await ctx.db.select({ id: registrations.id }).from(registrations).where(sql`${registrations.erasedAt} is not null`))
      .map((r) => r.id)
      .sort()

  t.equal(await eraseExpiredRegistrations(ctx.db, now, 2), 2, 'a batch of two')
  t.equal(await eraseExpiredRegistrations(ctx.db, now, 2), 1, 'then the rest')
  t.equal(await eraseExpiredRegistrations(ctx.db, now, 2), 0, 'then nothing')
  t.same(await erasedIds(), [...expiredIds].sort(), 'only the expired event')
  const rows = await ctx.db.select().from(registrations).where(eq(registrations.eventId, expired))
  t.ok(rows.every((r) => r.name === 'Erased' && r.email === `erased-${r.id}@invalid` && r.status === 'confirmed'))
  const [expiredEvent] = await ctx.db.select().from(events).where(eq(events.id, expired))
  t.equal(expiredEvent.confirmedPeople, 3, 'counts kept')

  // 25 days later the second fair is due too; the one without a retention of its own waits for the default (180 days).
  const later = new Date(now.getTime() + 25 * DAY)
  t.equal(await eraseExpiredRegistrations(ctx.db, later), 2)
  t.same(await erasedIds(), [...expiredIds, ...recentIds].sort())
  t.notOk((await erasedIds()).includes(keptIds[0]))
  t.equal(await eraseExpiredRegistrations(ctx.db, new Date(now.getTime() + 3650 * DAY), 500, 4000), 0, 'nor with a longer default')

  // The worker's job: after a run that did not fill a batch it rests, since erasure is due by the day.
  const job = retentionJob(ctx.db, { idleMs: 60_000 })
  await ctx.db.update(events).set({ retentionDays: 1 }).where(eq(events.id, keptForever))
  t.equal(await job(now), 1, 'runs on the first poll')
  await ctx.db.update(registrations).set({ erasedAt: null }).where(eq(registrations.eventId, keptForever))
  t.equal(await job(new Date(now.getTime() + 2000)), 0, 'rests on the next poll')
  t.equal(await job(new Date(now.getTime() + 61_000)), 1, 'and runs again after the pause')
})
