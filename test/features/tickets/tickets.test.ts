import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { randomUUID } from 'node:crypto'
import jsQRModule from 'jsqr'
import { PNG } from 'pngjs'
import { build, eventBody } from '../../helpers/app.js'

// GET /v1/tickets/{ticketId}/qr.png and /qr.svg: who may see a ticket's QR, that it decodes to the ticket's
// code, and its caching.

// jsqr's CommonJS typings say `export default`, which NodeNext reads as the module object; at run time the
// default import is the function itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default

type Auth = { authorization: string } | undefined
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

interface Registered {
  id: string
  manageToken: string
  auth: { authorization: string }
  email: string
  name: string
  ticket: { id: string; code: string; qrPngUrl: string; qrSvgUrl: string }
}

function problem(t: Test, res: LightMyRequestResponse, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 600) })
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem+json')
  const body = res.json()
  t.equal(body.code, code, `code ${code}`)
  t.notOk(res.headers.etag, 'no ETag on an error')
  return body as { code: string; detail: string }
}

function success(t: Test, res: LightMyRequestResponse, status: number) {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 600) })
  return res.json()
}

/** Decodes a PNG with pngjs and reads its QR code with jsqr. */
function readPngQr(png: Buffer): string | null {
  const image = PNG.sync.read(png)
  return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data ?? null
}

/**
 * Rasterises qrcode's SVG (one stroked path of `M x y`, `m dx dy` and `h n` commands, one module per unit, the
 * pen on the row's middle line) at 8 pixels per module, then reads it with jsqr.
 */
function readSvgQr(svg: string): string | null {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)
  const d = /<path [^>]*stroke="#000000"[^>]*d="([^"]*)"/.exec(svg)
  if (!viewBox || !d) return null
  const size = Number(viewBox[1])
  const dark = new Set<number>()
  let x = 0
  let y = 0
  for (const [, cmd, args] of d[1].matchAll(/([MmHh])([^MmHh]*)/g)) {
    const n = args.trim().split(/[\s,]+/).map(Number)
    if (cmd === 'M') [x, y] = [n[0], n[1]]
    else if (cmd === 'm') [x, y] = [x + n[0], y + n[1]]
    else {
      const to = cmd === 'h' ? x + n[0] : n[0]
      for (let c = x; c < to; c++) dark.add(Math.floor(y) * size + c)
      x = to
    }
  }
  const scale = 8
  const px = size * scale
  const rgba = new Uint8ClampedArray(px * px * 4).fill(255)
  for (let row = 0; row < px; row++) {
    for (let col = 0; col < px; col++) {
      if (!dark.has(Math.floor(row / scale) * size + Math.floor(col / scale))) continue
      const i = (row * px + col) * 4
      rgba[i] = rgba[i + 1] = rgba[i + 2] = 0
    }
  }
  return jsQR(rgba, px, px)?.data ?? null
}

async function setup(t: Test) {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const otherOrganizer = await ctx.account('organizer')
  const exhibitor = await ctx.account('exhibitor')
  const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers?: Record<string, string>, payload?: object) =>
    ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) })

  async function event(organizerId: string) {
    const e = success(t, await inject('POST', '/v1/events', admin.auth, eventBody({ visitorCapacity: 10 })), 201)
    success(t, await inject('PUT', `/v1/events/${e.id}/organizers/${organizerId}`, admin.auth), 200)
    success(t, await inject('POST', `/v1/events/${e.id}/publish`, admin.auth), 200)
    return e as { id: string }
  }
  const fair = await event(organizer.id)
  const otherFair = await event(otherOrganizer.id)

  async function register(eventId = fair.id, partySize = 2): Promise<Registered> {
    const n = randomUUID().slice(0, 8)
    const body = { email: `visitor-${n}@example.org`, name: `Aylin Yıldız ${n}`, partySize, consent: { privacy: true } }
    const res = success(t, await inject('POST', `/v1/events/${eventId}/registrations`, undefined, body), 201)
    t.equal(res.status, 'confirmed')
    return { ...res, auth: bearer(res.manageToken), email: body.email, name: body.name }
  }
  const qr = (ticketId: string, format: 'png' | 'svg', auth?: Auth, headers: Record<string, string> = {}) =>
    inject('GET', `/v1/tickets/${ticketId}/qr.${format}`, { ...auth, ...headers })

  return { ctx, admin, organizer, otherOrganizer, exhibitor, inject, fair, otherFair, register, qr }
}

t.test('the QR of a ticket', async (t) => {
  const s = await setup(t)
  const visitor = await s.register()

  t.test('the registration answer links the images', async (t) => {
    t.equal(visitor.ticket.qrPngUrl, `/v1/tickets/${visitor.ticket.id}/qr.png`)
    t.equal(visitor.ticket.qrSvgUrl, `/v1/tickets/${visitor.ticket.id}/qr.svg`)
    t.notOk(visitor.ticket.code.includes(visitor.email), 'the code holds no email')
    t.notOk(visitor.ticket.code.toLowerCase().includes('aylin'), 'nor the name')
    const decoded = Buffer.from(visitor.ticket.code.slice(3), 'base64url').toString('latin1').toLowerCase()
    t.notOk(decoded.includes('aylin') || decoded.includes('visitor-'), 'not even encoded')
  })

  t.test('PNG for the manage token decodes to the ticket code', async (t) => {
    const res = await s.qr(visitor.ticket.id, 'png', visitor.auth)
    t.equal(res.statusCode, 200, { body: res.body.slice(0, 300) })
    t.equal(res.headers['content-type'], 'image/png')
    t.equal(res.headers['cache-control'], 'private, max-age=86400, immutable')
    t.match(String(res.headers.vary), /authorization/i, 'Vary: Authorization')
    t.match(String(res.headers.etag), /^"[A-Za-z0-9_-]{16,}"$/, 'a strong ETag')
    const png = res.rawPayload
    t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature')
    t.equal(Number(res.headers['content-length']), png.length)
    t.equal(readPngQr(png), visitor.ticket.code, 'jsqr reads back the code')
    const again = await s.qr(visitor.ticket.id, 'png', visitor.auth)
    t.ok(again.rawPayload.equals(png), 'the same image every time')
    t.equal(again.headers.etag, res.headers.etag, 'the same ETag')
  })

  t.test('SVG: the same QR', async (t) => {
    const res = await s.qr(visitor.ticket.id, 'svg', visitor.auth)
    t.equal(res.statusCode, 200, { body: res.body.slice(0, 300) })
    t.match(String(res.headers['content-type']), /^image\/svg\+xml/)
    t.equal(res.headers['cache-control'], 'private, max-age=86400, immutable')
    t.match(res.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
    t.match(res.body, /<\/svg>\s*$/)
    t.equal(readSvgQr(res.body), visitor.ticket.code, 'rasterised, jsqr reads back the code')
    const again = await s.qr(visitor.ticket.id, 'svg', visitor.auth)
    t.equal(again.body, res.body, 'deterministic')
    const png = await s.qr(visitor.ticket.id, 'png', visitor.auth)
    t.not(res.headers.etag, png.headers.etag, 'each representation has its own ETag')
  })

  t.test('conditional requests', async (t) => {
    for (const format of ['png', 'svg'] as const) {
      const first = await s.qr(visitor.ticket.id, format, visitor.auth)
      const etag = String(first.headers.etag)
      for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
        const res = await s.qr(visitor.ticket.id, format, visitor.auth, { 'if-none-match': header })
        t.equal(res.statusCode, 304, `${format}: If-None-Match ${header} → 304`)
        t.equal(res.rawPayload.length, 0, 'no body')
        t.equal(res.headers.etag, etag, 'the ETag again')
        t.equal(res.headers['cache-control'], 'private, max-age=86400, immutable')
      }
      const stale = await s.qr(visitor.ticket.id, format, visitor.auth, { 'if-none-match': '"something-else"' })
      t.equal(stale.statusCode, 200, `${format}: another tag → 200`)
    }
    const png = await s.qr(visitor.ticket.id, 'png', visitor.auth)
    const svgWithPngTag = await s.qr(visitor.ticket.id, 'svg', visitor.auth, { 'if-none-match': String(png.headers.etag) })
    t.equal(svgWithPngTag.statusCode, 200, "the PNG's tag does not validate the SVG")
  })

  t.test('staff of the event', async (t) => {
    for (const [who, auth] of [
      ['organizer of the event', s.organizer.auth],
      ['admin', s.admin.auth],
    ] as const) {
      for (const format of ['png', 'svg'] as const) {
        const res = await s.qr(visitor.ticket.id, format, auth)
        t.equal(res.statusCode, 200, `${who}: ${format}`)
      }
      t.equal(readPngQr((await s.qr(visitor.ticket.id, 'png', auth)).rawPayload), visitor.ticket.code, `${who}: the code`)
    }
  })

  t.test('nobody else learns the ticket exists', async (t) => {
    const other = await s.register()
    const elsewhere = await s.register(s.otherFair.id)
    for (const [who, auth] of [
      ["another registration's token", other.auth],
      ['a registration of another event', elsewhere.auth],
      ['an exhibitor', s.exhibitor.auth],
      ['an organizer of another event', s.otherOrganizer.auth],
    ] as const) {
      for (const format of ['png', 'svg'] as const) {
        const body = problem(t, await s.qr(visitor.ticket.id, format, auth), 404, 'not_found')
        t.equal(body.detail, 'No such ticket.', `${who} (${format}): the answer for an unknown id`)
        // A known ETag does not turn a refusal into a 304.
        const etag = String((await s.qr(visitor.ticket.id, format, visitor.auth)).headers.etag)
        problem(t, await s.qr(visitor.ticket.id, format, auth, { 'if-none-match': etag }), 404, 'not_found')
      }
    }
    const unknown = await s.qr(randomUUID(), 'png', s.admin.auth)
    t.equal(problem(t, unknown, 404, 'not_found').detail, 'No such ticket.', 'unknown id, even for an admin')
    t.equal(problem(t, await s.qr(randomUUID(), 'svg', visitor.auth), 404, 'not_found').detail, 'No such ticket.')
  })

  t.test('credentials', async (t) => {
    const anonymous = await s.qr(visitor.ticket.id, 'png')
    problem(t, anonymous, 401, 'unauthenticated')
    t.equal(anonymous.headers['www-authenticate'], 'Bearer')
    problem(t, await s.qr(randomUUID(), 'svg'), 401, 'unauthenticated')
    problem(t, await s.qr(visitor.ticket.id, 'png', bearer(`vmr_${'A'.repeat(43)}`)), 401, 'unauthenticated')
    problem(t, await s.qr(visitor.ticket.id, 'png', { authorization: 'Bearer nonsense' }), 401, 'unauthenticated')
  })

  t.test('bad ids', async (t) => {
    for (const id of ['not-a-uuid', '1', `${visitor.ticket.id}x`, "'; drop table tickets; --"]) {
      const res = await s.qr(encodeURIComponent(id), 'png', s.admin.auth)
      problem(t, res, 400, 'invalid_request')
    }
    problem(t, await s.inject('GET', `/v1/tickets/${visitor.ticket.id}/qr.gif`, s.admin.auth), 404, 'not_found')
    problem(t, await s.inject('GET', `/v1/tickets/${'a'.repeat(3000)}/qr.png`, s.admin.auth), 414, 'uri_too_long')
  })
})

t.test('a cancelled registration: its ticket is revoked', async (t) => {
  const s = await setup(t)
  const visitor = await s.register()
  const before = await s.qr(visitor.ticket.id, 'png', visitor.auth)
  t.equal(before.statusCode, 200)
  t.equal((await s.inject('DELETE', `/v1/registrations/${visitor.id}`, visitor.auth)).statusCode, 204, 'cancelled')

  for (const format of ['png', 'svg'] as const) {
    const res = await s.qr(visitor.ticket.id, format, visitor.auth)
    t.equal(problem(t, res, 404, 'not_found').detail, 'ticket revoked', `${format}: the holder is told it is revoked`)
    const conditional = await s.qr(visitor.ticket.id, format, visitor.auth, { 'if-none-match': String(before.headers.etag) })
    t.equal(conditional.statusCode, 404, `${format}: not a 304 either`)
    // Staff still see it (to help at the desk); the door rejects the code as revoked anyway.
    t.equal((await s.qr(visitor.ticket.id, format, s.organizer.auth)).statusCode, 200, `${format}: organizer`)
    t.equal((await s.qr(visitor.ticket.id, format, s.admin.auth)).statusCode, 200, `${format}: admin`)
    const outsider = await s.qr(visitor.ticket.id, format, s.otherOrganizer.auth)
    t.equal(problem(t, outsider, 404, 'not_found').detail, 'No such ticket.', `${format}: outsiders learn nothing of the revocation`)
  }
})

t.test('concurrent requests for one image', async (t) => {
  const s = await setup(t)
  const visitor = await s.register()
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => s.qr(visitor.ticket.id, i % 2 ? 'svg' : 'png', visitor.auth)))
  t.ok(answers.every((a) => a.statusCode === 200), 'all 200')
  const pngs = answers.filter((_, i) => i % 2 === 0).map((a) => a.rawPayload)
  t.ok(pngs.every((p) => p.equals(pngs[0])), 'identical PNGs')
  t.equal(readPngQr(pngs[0]), visitor.ticket.code)
})
