import t from 'tap'
import { eq } from 'drizzle-orm'
import jsQRModule from 'jsqr'
import { PNG } from 'pngjs'
import { outboxEmails } from '../../../src/db/schema.js'
import { createTransport } from '../../../src/mail/transport.js'
import { drainOutbox } from '../../../src/mail/worker.js'
import { startSmtpSink } from '../../helpers/smtp.js'
import { problem } from '../../helpers/problem.js'
import { bearer, must, standsSetup, type Json } from '../../helpers/stands.js'
import { workerOptions } from '../../helpers/mail.js'

// Exhibitor passes: issued on approval (tickets of kind exhibitor, admits 1, same signed code as visitor tickets),
// emailed with their QR codes inline, renamed and revoked one by one, checked in at the door as `exhibitor`, and
// revoked when the booking is withdrawn.

const jsQR = jsQRModule as unknown as typeof jsQRModule.default
function readPngQr(png: Buffer): string | null {
  const image = PNG.sync.read(png)
  return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data ?? null
}

const s = await standsSetup(t)
const { inject, organizer } = s
const fair = await s.event()
const exhibitor = await s.association('Kulturverein Nordstadt')
const stranger = await s.association()
const stand = await s.stand(fair.id, { code: 'H1-07' })
const booking = await s.book(fair.id, exhibitor, { staffPasses: 3 })
const scanner = await s.scanner(fair.id)

t.test('no passes before approval; three after it, signed like visitor tickets', async (t) => {
  t.same(must(await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, exhibitor.member.auth), 200), [])
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: stand.id }), 200)
  const passes = must(await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, exhibitor.member.auth), 200) as unknown as Json[]
  t.equal(passes.length, 3)
  for (const pass of passes) {
    t.match(pass, { holderName: null, revoked: false, qrPngUrl: `/v1/tickets/${pass.id}/qr.png`, qrSvgUrl: `/v1/tickets/${pass.id}/qr.svg` })
    t.match(pass.code, /^VM1[A-Za-z0-9_-]{115}$/)
  }
  t.same(must(await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, organizer.auth), 200), passes, 'staff see the same')
  problem(t, await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, stranger.member.auth), 404, 'not_found')

  const png = await inject('GET', passes[0].qrPngUrl, exhibitor.member.auth)
  t.equal(png.statusCode, 200)
  t.equal(readPngQr(png.rawPayload), passes[0].code, 'the QR holds the code (members)')
  t.equal((await inject('GET', passes[0].qrPngUrl, organizer.auth)).statusCode, 200, 'staff')
  problem(t, await inject('GET', passes[0].qrPngUrl, stranger.member.auth), 404, 'not_found')
  t.equal((await inject('GET', passes[0].qrSvgUrl, exhibitor.member.auth)).statusCode, 200)

  // reassignment keeps the passes
  const other = await s.stand(fair.id)
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: other.id }), 200)
  t.same(must(await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, organizer.auth), 200), passes, 'the same passes after a move')
})

t.test('rename, revoke one, and the door', async (t) => {
  const passes = must(await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, exhibitor.member.auth), 200) as unknown as Json[]
  const named = must(await inject('PATCH', `/v1/passes/${passes[0].id}`, exhibitor.member.auth, { holderName: 'Ayşe Yılmaz' }), 200)
  t.equal(named.holderName, 'Ayşe Yılmaz')
  t.equal(named.code, passes[0].code, 'same code')
  must(await inject('PATCH', `/v1/passes/${passes[1].id}`, organizer.auth, { holderName: 'Karim' }), 200)
  problem(t, await inject('PATCH', `/v1/passes/${passes[1].id}`, stranger.member.auth, { holderName: 'X' }), 404, 'not_found')
  problem(t, await inject('PATCH', `/v1/passes/${passes[1].id}`, exhibitor.member.auth, { holderName: '' }), 400, 'invalid_request')

  const entry = await s.scan(fair.id, scanner.auth, { code: passes[0].code })
  t.same(entry.ticket, { id: passes[0].id, kind: 'exhibitor', holderName: 'Ayşe Yılmaz', admits: 1, associationName: 'Kulturverein Nordstadt' })
  t.equal(entry.status, 'ok')
  t.equal(entry.occupancy.inside, 1, 'counts in occupancy')
  const found = must(await inject('GET', `/v1/events/${fair.id}/attendees?q=ayse`, scanner.auth), 200)
  t.same(found.items, [{ ticketId: passes[0].id, kind: 'exhibitor', name: 'Ayşe Yılmaz', admits: 1, checkedIn: true, associationName: 'Kulturverein Nordstadt' }], 'the door search names the association too')

  const revoked = must(await inject('POST', `/v1/passes/${passes[1].id}/revoke`, exhibitor.member.auth), 200)
  t.equal(revoked.revoked, true)
  t.equal(must(await inject('POST', `/v1/passes/${passes[1].id}/revoke`, organizer.auth), 200).revoked, true, 'twice is fine')
  t.match(await s.scan(fair.id, scanner.auth, { code: passes[1].code }), { status: 'rejected', reason: 'revoked', ticket: { associationName: 'Kulturverein Nordstadt' } })
  problem(t, await inject('PATCH', `/v1/passes/${passes[1].id}`, exhibitor.member.auth, { holderName: 'Y' }), 409, 'pass_revoked')
  problem(t, await inject('POST', `/v1/passes/${passes[1].id}/revoke`, stranger.member.auth), 404, 'not_found')
})

t.test('withdrawal revokes every pass: the door says revoked', async (t) => {
  const passes = must(await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, exhibitor.member.auth), 200) as unknown as Json[]
  must(await inject('DELETE', `/v1/stand-bookings/${booking.id}`, exhibitor.member.auth), 200)
  const after = must(await inject('GET', `/v1/stand-bookings/${booking.id}/passes`, exhibitor.member.auth), 200) as unknown as Json[]
  t.same(after.map((p) => p.revoked), [true, true, true])
  t.match(await s.scan(fair.id, scanner.auth, { code: passes[2].code }), { status: 'rejected', reason: 'revoked' })
  t.match(await s.scan(fair.id, scanner.auth, { code: passes[0].code, direction: 'exit' }), { status: 'ok' }, 'someone inside can still leave')
})

t.test('the approval email arrives over SMTP with every pass QR inline', async (t) => {
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  const fair2 = await s.event()
  const e = await s.association('Elternnetzwerk Hörde')
  const b = await s.book(fair2.id, e, { staffPasses: 2 })
  const st = await s.stand(fair2.id, { code: 'Z9' })
  must(await inject('POST', `/v1/stand-bookings/${b.id}/approve`, organizer.auth, { standId: st.id }), 200)
  const passes = must(await inject('GET', `/v1/stand-bookings/${b.id}/passes`, e.member.auth), 200) as unknown as Json[]
  // only this event's emails: others of this file went to the outbox too
  await s.ctx.db.delete(outboxEmails).where(eq(outboxEmails.eventId, fair.id))
  const transport = createTransport({ smtpUrl: sink.url, dataDir: '/nonexistent', publicUrl: s.ctx.config.publicUrl }, s.ctx.app.log)
  t.teardown(() => transport.close())
  await drainOutbox(workerOptions({ db: s.ctx.db, transport, mailFrom: s.ctx.config.mailFrom, log: s.ctx.app.log }), 'w1')
  const messages = await sink.waitFor(2)
  const approval = messages.find((m) => m.subject?.startsWith('Stand Z9'))!
  t.ok(approval, 'the approval email')
  t.equal(approval.subject, `Stand Z9 bestätigt: ${fair2.title}`)
  t.equal(approval.to && !Array.isArray(approval.to) ? approval.to.text : '', e.contactEmail)
  for (const [i, pass] of passes.entries()) {
    const inline = approval.attachments.find((a) => a.cid === `pass-qr-${i + 1}` || a.contentId === `<pass-qr-${i + 1}>`)
    t.ok(inline, `pass ${i + 1} inline`)
    const decoded = readPngQr(inline!.content)
    t.equal(decoded, pass.code, `pass ${i + 1} decodes to its code`, { decoded, len: inline!.content.length, type: inline!.contentType })
  }
  t.match(approval.text, 'Ausweis 1:')
  t.match(String(approval.html), 'alt="QR-Code des Ausstellerausweises 1"')
  t.ok(messages.some((m) => m.subject?.startsWith('Standanfrage eingegangen')), 'the request email too')
  void bearer
})
