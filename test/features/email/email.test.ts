import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { asc, eq, inArray, sql } from 'drizzle-orm'
import { outboxEmails } from '../../../src/db/schema.js'
import type { AudienceSources, Recipient } from '../../../src/mail/reminders.js'
import { createTransport } from '../../../src/mail/transport.js'
import { drainOutbox } from '../../../src/mail/worker.js'
import { build, eventBody } from '../../helpers/app.js'
import { startSmtpSink } from '../../helpers/smtp.js'
import { problem } from '../../helpers/problem.js'
import { workerOptions } from '../../helpers/mail.js'

// Announcements to an event's audiences, and the event's outbox as its organizers see it.

const since = new Date('2027-01-01T00:00:00.000Z')
const VISITORS: Recipient[] = [
  { key: 'reg-anna', email: 'anna@example.org', name: 'Anna', locale: 'de', since },
  { key: 'reg-bob', email: 'Bob@Example.org', locale: 'en-GB', since },
  { key: 'reg-cem', email: 'cem@example.org', name: 'Cem\nYılmaz', locale: 'tr', since },
]
const EXHIBITORS: Recipient[] = [
  { key: 'booking-bob', email: 'bob@example.org', name: 'Bob vom Kleingartenverein', locale: 'en', since },
  { key: 'booking-dana', email: 'dana@example.org', locale: null, since },
]
const literal = (recipients: Recipient[]) => async () => recipients

type Auth = { authorization: string } | undefined

async function setup(t: Test, audiences: AudienceSources = { visitors: literal(VISITORS), exhibitors: literal(EXHIBITORS) }) {
  const ctx = await build(t, {}, { audiences })
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, headers?: Auth, payload?: unknown) =>
    ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  /** An event with `organizer` assigned, then published (and cancelled) as asked. */
  async function event(state: 'draft' | 'published' | 'cancelled' = 'published', title = 'Vereinsmesse Dortmund') {
    const created = await inject('POST', '/v1/events', admin.auth, eventBody({ title }))
    t.equal(created.statusCode, 201)
    const id: string = created.json().id
    t.equal((await inject('PUT', `/v1/events/${id}/organizers/${organizer.id}`, admin.auth)).statusCode, 200)
    if (state !== 'draft') t.equal((await inject('POST', `/v1/events/${id}/publish`, admin.auth)).statusCode, 200)
    if (state === 'cancelled') t.equal((await inject('POST', `/v1/events/${id}/cancel`, admin.auth)).statusCode, 200)
    return { id, slug: created.json().slug as string }
  }
  const announce = (eventId: string, auth: Auth, payload: unknown) => inject('POST', `/v1/events/${eventId}/announcements`, auth, payload)
  const outboxRows = () => ctx.db.select().from(outboxEmails).orderBy(asc(sql`lower(${outboxEmails.toAddress})`))
    // Only the tests of who may do what need these (hashing each account's password takes a while).
  const outsiders = async () => ({ otherOrganizer: await ctx.account('organizer'), exhibitor: await ctx.account('exhibitor') })
  return { ...ctx, admin, organizer, outsiders, inject, event, announce, outboxRows }
}

const message = { subject: 'Parkplätze', body: 'Bitte nutzen Sie das Parkhaus West.\n\nDanke!' }

t.test('announcements', async (t) => {
  t.test('one email per visitor, in their language, for this event', async (t) => {
    const { announce, event, organizer, outboxRows } = await setup(t)
    const { id } = await event()
    const res = await announce(id, organizer.auth, { audience: 'visitors', ...message })
    t.equal(res.statusCode, 202)
    t.same(res.json(), { queued: 3 })
    const rows = await outboxRows()
    t.same(
      rows.map((r) => [r.toAddress, r.locale, r.template, r.eventId, r.status]),
      [
        ['anna@example.org', 'de', 'announcement', id, 'queued'],
        ['Bob@Example.org', 'en', 'announcement', id, 'queued'],
        ['cem@example.org', 'tr', 'announcement', id, 'queued'],
      ],
    )
    t.same(rows[0].data, { name: 'Anna', eventTitle: 'Vereinsmesse Dortmund', subject: 'Parkplätze', body: message.body })
    t.notOk('name' in rows[1].data, 'no name, no name field')
    t.equal(rows[2].data.name, 'Cem Yılmaz', 'a name with a line break is put on one line')
    const keys = rows.map((r) => r.dedupeKey!)
    const announcementId = /^announcement:([0-9a-f-]{36}):/.exec(keys[0])?.[1]
    t.ok(announcementId, 'dedupe key announcement:<uuid>:<recipient key>')
    t.same(keys, ['reg-anna', 'reg-bob', 'reg-cem'].map((k) => `announcement:${announcementId}:${k}`))

    const again = await announce(id, organizer.auth, { audience: 'visitors', ...message })
    t.same(again.json(), { queued: 3 }, 'announcing again is a new announcement')
    t.equal((await outboxRows()).length, 6)
  })

  t.test("'all' reaches both audiences, one email per address; exhibitors alone; a missing source is nobody", async (t) => {
    const { announce, event, admin, outboxRows } = await setup(t)
    const { id, slug } = await event()
    t.same((await announce(slug, admin.auth, { audience: 'all', ...message })).json(), { queued: 4 }, 'by slug, admin')
    const rows = await outboxRows()
    t.same(
      rows.map((r) => r.toAddress.toLowerCase()),
      ['anna@example.org', 'bob@example.org', 'cem@example.org', 'dana@example.org'],
      'Bob is a visitor and an exhibitor: one email',
    )
    t.equal(rows.find((r) => r.toAddress === 'dana@example.org')!.locale, 'de', 'no language: German')
    t.same((await announce(id, admin.auth, { audience: 'exhibitors', ...message })).json(), { queued: 2 })

    const onlyVisitors = await setup(t, { visitors: literal(VISITORS) })
    const other = await onlyVisitors.event()
    t.same((await onlyVisitors.announce(other.id, onlyVisitors.organizer.auth, { audience: 'exhibitors', ...message })).json(), {
      queued: 0,
    })
    t.same((await onlyVisitors.announce(other.id, onlyVisitors.organizer.auth, { audience: 'all', ...message })).json(), {
      queued: 3,
    })
    const nobody = await setup(t, {})
    const empty = await nobody.event()
    const res = await nobody.announce(empty.id, nobody.organizer.auth, { audience: 'all', ...message })
    t.equal(res.statusCode, 202)
    t.same(res.json(), { queued: 0 })
  })

  t.test('who may announce, and for which events', async (t) => {
    const { announce, event, admin, organizer, outsiders, outboxRows } = await setup(t)
    const { otherOrganizer, exhibitor } = await outsiders()
    const published = await event()
    const draft = await event('draft')
    const cancelled = await event('cancelled')
    const body = { audience: 'visitors', ...message }
    problem(t, await announce(published.id, undefined, body), 401, 'unauthenticated')
    problem(t, await announce(published.id, exhibitor.auth, body), 403, 'forbidden')
    problem(t, await announce(published.id, otherOrganizer.auth, body), 403, 'forbidden')
    problem(t, await announce(draft.id, otherOrganizer.auth, body), 404, 'not_found')
    problem(t, await announce(draft.id, exhibitor.auth, body), 404, 'not_found')
    problem(t, await announce('00000000-0000-4000-8000-000000000000', admin.auth, body), 404, 'not_found')
    problem(t, await announce(draft.id, organizer.auth, body), 409, 'invalid_transition')
    problem(t, await announce(draft.id, admin.auth, body), 409, 'invalid_transition')
    t.equal((await outboxRows()).length, 0, 'nothing queued by refused requests')
    const res = await announce(cancelled.id, organizer.auth, body)
    t.equal(res.statusCode, 202, 'a cancelled event may still tell its people')
    t.same(res.json(), { queued: 3 })
  })

  t.test('invalid bodies are 400 and queue nothing', async (t) => {
    const { announce, event, organizer, outboxRows } = await setup(t)
    const { id } = await event()
    const valid = { audience: 'all', ...message }
    for (const [what, payload, path] of [
      ['no audience', { subject: 'x', body: 'y' }, '/body/audience'],
      ['unknown audience', { ...valid, audience: 'everyone' }, '/body/audience'],
      ['no subject', { audience: 'all', body: 'y' }, '/body/subject'],
      ['empty subject', { ...valid, subject: '' }, '/body/subject'],
      ['blank subject', { ...valid, subject: '   ' }, '/body/subject'],
      ['subject on two lines', { ...valid, subject: 'a\r\nBcc: x@example.org' }, '/body/subject'],
      ['subject too long', { ...valid, subject: 'x'.repeat(201) }, '/body/subject'],
      ['empty body', { ...valid, body: '' }, '/body/body'],
      ['blank body', { ...valid, body: ' \n\t ' }, '/body/body'],
      ['body too long', { ...valid, body: 'x'.repeat(10_001) }, '/body/body'],
      ['body not a string', { ...valid, body: 5 }, '/body/body'],
      ['extra field', { ...valid, bcc: 'x@example.org' }, '/body/bcc'],
    ] as const) {
      const res = await announce(id, organizer.auth, payload)
      problem(t, res, 400, 'invalid_request')
      t.ok(
        (res.json().errors ?? []).some((e: { path: string }) => e.path === path),
        `${what}: names ${path}`,
      )
    }
    problem(t, await announce(id, organizer.auth, undefined), 400, 'invalid_request')
    t.equal((await outboxRows()).length, 0, 'nothing queued')
    t.equal((await announce(id, organizer.auth, { ...valid, subject: 'x'.repeat(200), body: 'y'.repeat(10_000) })).statusCode, 202, 'limits are inclusive')
  })

  t.test('delivered over SMTP with the event in the subject, in each language', async (t) => {
    const { announce, event, organizer, app, db, config } = await setup(t)
    const { id } = await event('published', 'Messe der Vereine 2027')
    const sink = await startSmtpSink()
    const transport = createTransport({ smtpUrl: sink.url, dataDir: '/tmp', publicUrl: config.publicUrl }, app.log)
    t.teardown(async () => {
      transport.close()
      await sink.stop()
    })
    t.same((await announce(id, organizer.auth, { audience: 'all', ...message })).json(), { queued: 4 })
    const handled = await drainOutbox(workerOptions({ db, transport, mailFrom: config.mailFrom, log: app.log }), 'test-worker')
    t.equal(handled, 4)
    const mails = await sink.waitFor(4)
    t.equal(mails.length, 4)
    for (const mail of mails) {
      const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : ''
      t.match(mail.subject ?? '', /Messe der Vereine 2027/, `${to}: the subject names the event`)
      t.match(mail.subject ?? '', /Parkplätze/, `${to}: and carries the organizer's subject`)
      t.ok(mail.text?.includes('Bitte nutzen Sie das Parkhaus West.'), `${to}: the body is in the text`)
    }
    const byAddress = (address: string) => mails.find((m) => m.to && !Array.isArray(m.to) && m.to.value[0].address?.toLowerCase() === address)!
    t.notSame(byAddress('anna@example.org').text, byAddress('bob@example.org').text, 'German and English differ')
    const sent = await db.select().from(outboxEmails).where(eq(outboxEmails.status, 'sent'))
    t.equal(sent.length, 4, 'all marked sent')
  })
})

t.test('the outbox list', async (t) => {
  t.test('newest first, page by page, stable under inserts, only this event', async (t) => {
    const { announce, event, organizer, inject, db, app } = await setup(t)
    const { id } = await event()
    const other = await event()
    t.same((await announce(id, organizer.auth, { audience: 'visitors', ...message })).json(), { queued: 3 })
    await new Promise((r) => setTimeout(r, 5))
    t.same((await announce(id, organizer.auth, { audience: 'exhibitors', ...message })).json(), { queued: 2 })
    await announce(other.id, organizer.auth, { audience: 'all', ...message })
    await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: organizer.email } })

    const expected = await db
      .select({ id: outboxEmails.id })
      .from(outboxEmails)
      .where(eq(outboxEmails.eventId, id))
      .orderBy(sql`${outboxEmails.createdAt} desc`, sql`${outboxEmails.id} desc`)
    t.equal(expected.length, 5)

    const first = await inject('GET', `/v1/events/${id}/emails?limit=2`, organizer.auth)
    t.equal(first.statusCode, 200)
    const page1 = first.json()
    t.equal(page1.items.length, 2)
    t.type(page1.nextCursor, 'string')
    const item = page1.items[0]
    t.same(Object.keys(item).sort(), ['attempts', 'createdAt', 'id', 'lastError', 'locale', 'sendAfter', 'sentAt', 'status', 'template', 'to'])
    t.match(item, { template: 'announcement', status: 'queued', attempts: 0, lastError: null, sentAt: null })
    t.ok(['dana@example.org', 'bob@example.org'].includes(item.to), 'the newest announcement comes first')

    // A newer email after page 1 must neither appear on later pages nor shift them.
    await announce(id, organizer.auth, { audience: 'exhibitors', ...message })
    const page2 = (await inject('GET', `/v1/events/${id}/emails?limit=2&cursor=${page1.nextCursor}`, organizer.auth)).json()
    const page3 = (await inject('GET', `/v1/events/${id}/emails?limit=2&cursor=${page2.nextCursor}`, organizer.auth)).json()
    t.equal(page3.items.length, 1)
    t.equal(page3.nextCursor, null, 'the last page says so')
    t.same(
      [...page1.items, ...page2.items, ...page3.items].map((i: { id: string }) => i.id),
      expected.map((e) => e.id),
      'every email of the event once, newest first, ties broken by id',
    )
    const all = (await inject('GET', `/v1/events/${id}/emails`, organizer.auth)).json()
    t.equal(all.items.length, 7, 'default limit 50; other events and account emails are not listed')
    t.equal(all.nextCursor, null)
  })

  t.test('rows within one millisecond are neither skipped nor repeated', async (t) => {
    const { announce, event, organizer, inject, db } = await setup(t)
    const { id } = await event()
    await announce(id, organizer.auth, { audience: 'visitors', ...message })
    const rows = await db.select({ id: outboxEmails.id }).from(outboxEmails).orderBy(asc(outboxEmails.id))
    // Three rows in one millisecond, ordered against their ids, so only microseconds tell them apart.
    for (const [i, row] of rows.entries()) {
      await db
        .update(outboxEmails)
        .set({ createdAt: sql`'2027-03-01T10:00:00.123000Z'::timestamptz + ${`${(i + 1) * 100} microseconds`}::interval` })
        .where(eq(outboxEmails.id, row.id))
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `limit=1&cursor=${cursor}` : 'limit=1'
      const page = (await inject('GET', `/v1/events/${id}/emails?${query}`, organizer.auth)).json()
      seen.push(...page.items.map((i: { id: string }) => i.id))
      cursor = page.nextCursor
    } while (cursor && seen.length < 10)
    t.same(seen, rows.map((r) => r.id).reverse(), 'by microsecond, newest first')
  })

  t.test('filtered by status, with the last error', async (t) => {
    const { announce, event, admin, inject, db } = await setup(t)
    const { id } = await event()
    await announce(id, admin.auth, { audience: 'all', ...message })
    const [failed] = await db
      .update(outboxEmails)
      .set({ status: 'failed', attempts: 5, lastError: '550 mailbox unavailable' })
      .where(eq(outboxEmails.toAddress, 'dana@example.org'))
      .returning()
    const sentAt = new Date()
    await db
      .update(outboxEmails)
      .set({ status: 'sent', attempts: 1, sentAt })
      .where(inArray(outboxEmails.toAddress, ['anna@example.org', 'cem@example.org']))
    const list = async (status: string) => (await inject('GET', `/v1/events/${id}/emails?status=${status}`, admin.auth)).json()
    const failedList = await list('failed')
    t.same(failedList.items.map((i: { id: string }) => i.id), [failed.id])
    t.match(failedList.items[0], { status: 'failed', attempts: 5, lastError: '550 mailbox unavailable', to: 'dana@example.org' })
    const sentList = await list('sent')
    t.equal(sentList.items.length, 2)
    t.ok(sentList.items.every((i: { sentAt: string }) => i.sentAt === sentAt.toISOString()))
    t.equal((await list('queued')).items.length, 1)
    t.equal((await list('cancelled')).items.length, 0)

    const cursor = (key: unknown[]) => `cursor=${Buffer.from(JSON.stringify(key)).toString('base64url')}`
    const someId = failed.id
    for (const query of [
      'status=bogus',
      'limit=0',
      'limit=201',
      'cursor=***',
      cursor(['x', 'y']),
      cursor(['2027-03-01T10:00:00.123456Z', 'not-a-uuid']),
      cursor(['2027-03-01T10:00:00.123Z', someId]),
      cursor(['2027-02-30T10:00:00.123456Z', someId]),
      cursor(['0000-01-01T00:00:00.000000Z', someId]),
      cursor(['2027-03-01T24:00:00.000000Z', someId]),
      'other=1',
    ]) {
      problem(t, await inject('GET', `/v1/events/${id}/emails?${query}`, admin.auth), 400, 'invalid_request')
    }
  })

  t.test('who may read it', async (t) => {
    const { announce, event, admin, organizer, outsiders, inject } = await setup(t)
    const { otherOrganizer, exhibitor } = await outsiders()
    const published = await event()
    const draft = await event('draft')
    await announce(published.id, organizer.auth, { audience: 'visitors', ...message })
    const url = (eventId: string) => `/v1/events/${eventId}/emails`
    problem(t, await inject('GET', url(published.id)), 401, 'unauthenticated')
    problem(t, await inject('GET', url(published.id), exhibitor.auth), 403, 'forbidden')
    problem(t, await inject('GET', url(published.id), otherOrganizer.auth), 403, 'forbidden')
    problem(t, await inject('GET', url(draft.id), otherOrganizer.auth), 404, 'not_found')
    problem(t, await inject('GET', url('00000000-0000-4000-8000-000000000000'), admin.auth), 404, 'not_found')
    t.equal((await inject('GET', url(published.id), organizer.auth)).json().items.length, 3, 'its organizer')
    t.equal((await inject('GET', url(published.id), admin.auth)).json().items.length, 3, 'an admin')
    const empty = await inject('GET', url(draft.id), organizer.auth)
    t.equal(empty.statusCode, 200)
    t.same(empty.json(), { items: [], nextCursor: null }, 'a draft has an empty outbox')
  })
})
