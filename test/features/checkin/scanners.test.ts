import t from 'tap'
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import QRCode from 'qrcode'
import { scanners } from '../../../src/db/schema.js'
import { hashToken } from '../../../src/features/auth/tokens.js'
import { bearer, doorSetup, must } from '../../helpers/door.js'
import { problem } from '../../helpers/problem.js'

// Scanner devices: POST/GET /v1/events/{eventId}/scanners, DELETE /v1/scanners/{id}.

t.test('creating a scanner: the token and its pairing QR, shown once', async (t) => {
  // The pairing link opens the door app, which the service itself serves: SERVICE_URL, not the front end's PUBLIC_URL.
  const d = await doorSetup(t, { SERVICE_URL: 'https://messe.example.org', PUBLIC_URL: 'https://www.example.org' })
  const fair = await d.event()
  const created = must(await d.inject('POST', `/v1/events/${fair.id}/scanners`, d.organizer.auth, { label: '  Phone 1 ', gate: 'North' }), 201)
  t.match(created, { eventId: fair.id, label: 'Phone 1', gate: 'North', revokedAt: null })
  t.match(created.token, /^vmd_[A-Za-z0-9_-]{43}$/)
  t.equal(created.pairingUrl, `https://messe.example.org/door#event=${fair.id}&token=${created.token}`)
  t.match(created.pairingQr, /^data:image\/svg\+xml;base64,/)
  const svg = Buffer.from(created.pairingQr.split(',')[1], 'base64').toString('utf8')
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
  const expected = await QRCode.toString(created.pairingUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  t.equal(svg, expected, 'the QR of exactly the pairing URL')

  const [row] = await d.ctx.db.select().from(scanners).where(eq(scanners.id, created.id))
  t.equal(row.tokenHash, hashToken(created.token), 'stored as its SHA-256')
  t.notOk(JSON.stringify(row).includes(created.token.slice(4)), 'never in clear')
  t.equal(row.createdBy, d.organizer.id)

  const listed = must(await d.inject('GET', `/v1/events/${fair.id}/scanners`, d.organizer.auth), 200)
  t.same(Object.keys(listed.items[0]).sort(), ['createdAt', 'eventId', 'gate', 'id', 'label', 'revokedAt', 'roomId'], 'the list never shows the token again')

  const noGate = must(await d.inject('POST', `/v1/events/${fair.slug}/scanners`, d.admin.auth, { label: 'Desk' }), 201)
  t.equal(noGate.gate, null, 'gate is optional; by slug; by an admin')
  t.not(noGate.token, created.token)
})

t.test('listing, paging and revoking', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const otherFair = await d.event()
  const made = []
  for (const label of ['A', 'B', 'C']) made.push(await d.scanner(fair.id, { label }))
  await d.scanner(otherFair.id, { label: 'elsewhere' })
  const page1 = must(await d.inject('GET', `/v1/events/${fair.id}/scanners?limit=2`, d.organizer.auth), 200)
  t.same(page1.items.map((s: { label: string }) => s.label), ['A', 'B'], 'oldest first')
  t.type(page1.nextCursor, 'string')
  const page2 = must(await d.inject('GET', `/v1/events/${fair.id}/scanners?limit=2&cursor=${page1.nextCursor}`, d.organizer.auth), 200)
  t.same(page2.items.map((s: { label: string }) => s.label), ['C'])
  t.equal(page2.nextCursor, null)
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/scanners?cursor=bogus`, d.organizer.auth), 400, 'invalid_request')

  must(await d.inject('DELETE', `/v1/scanners/${made[1].id}`, d.organizer.auth), 204)
  must(await d.inject('DELETE', `/v1/scanners/${made[1].id}`, d.admin.auth), 204)
  const listed = must(await d.inject('GET', `/v1/events/${fair.id}/scanners`, d.organizer.auth), 200)
  t.same(listed.items.map((s: { label: string; revokedAt: string | null }) => [s.label, s.revokedAt !== null]), [['A', false], ['B', true], ['C', false]], 'revoked ones stay listed')
  problem(t, await d.checkin(fair.id, made[1].auth, { code: 'x' }), 401, 'unauthenticated')
  t.equal((await d.checkin(fair.id, made[0].auth, { code: 'x' })).statusCode, 200, 'the others still work')
})

t.test('who may manage scanners', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const draft = await d.event({}, { publish: false })
  const phone = await d.scanner(fair.id)
  const stranger = await d.ctx.account('organizer')
  const exhibitor = await d.ctx.account('exhibitor')
  const guest = await d.register(fair.id, 1)
  for (const [who, auth] of [
    ['an organizer of other events', stranger.auth],
    ['an exhibitor', exhibitor.auth],
    ["a visitor's manage token", bearer(guest.manageToken)],
    ['a scanner of the event', phone.auth],
  ] as const) {
    problem(t, await d.inject('POST', `/v1/events/${fair.id}/scanners`, auth, { label: 'x' }), 403, 'forbidden')
    problem(t, await d.inject('GET', `/v1/events/${fair.id}/scanners`, auth), 403, 'forbidden')
    problem(t, await d.inject('POST', `/v1/events/${draft.id}/scanners`, auth, { label: 'x' }), 404, 'not_found')
    const refused = problem(t, await d.inject('DELETE', `/v1/scanners/${phone.id}`, auth), 404, 'not_found')
    t.equal(refused.detail, 'No such scanner.', `${who}: the answer for an unknown id`)
  }
  problem(t, await d.inject('POST', `/v1/events/${fair.id}/scanners`, undefined, { label: 'x' }), 401, 'unauthenticated')
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/scanners`), 401, 'unauthenticated')
  problem(t, await d.inject('DELETE', `/v1/scanners/${phone.id}`), 401, 'unauthenticated')
  problem(t, await d.inject('DELETE', `/v1/scanners/${randomUUID()}`, d.admin.auth), 404, 'not_found')
  problem(t, await d.inject('DELETE', '/v1/scanners/not-a-uuid', d.admin.auth), 400, 'invalid_request')
  problem(t, await d.inject('POST', `/v1/events/${randomUUID()}/scanners`, d.admin.auth, { label: 'x' }), 404, 'not_found')
  t.equal((await d.checkin(fair.id, phone.auth, { code: 'x' })).statusCode, 200, 'the scanner survived all that')
})

t.test('bad scanner bodies', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const bad = async (body: unknown, path: string) => {
    const p = problem(t, await d.inject('POST', `/v1/events/${fair.id}/scanners`, d.organizer.auth, body), 400, 'invalid_request')
    t.ok(p.errors?.some((e) => e.path === path), `${JSON.stringify(body)} → ${path}`, { errors: p.errors })
  }
  await bad({}, '/body/label')
  await bad({ label: '' }, '/body/label')
  await bad({ label: '   ' }, '/body/label')
  await bad({ label: 'x'.repeat(101) }, '/body/label')
  await bad({ label: 'a\nb' }, '/body/label')
  await bad({ label: 'ok', gate: '' }, '/body/gate')
  await bad({ label: 'ok', gate: 7 }, '/body/gate')
  await bad({ label: 'ok', token: 'vmd_mine' }, '/body/token')
})
