import t, { type Test } from 'tap'
import { readFile, mkdir, mkdtemp } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { and, eq, isNotNull } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { checkins } from '../../src/db/schema.js'
import { bearer, doorSetup, must, type Door, type Json } from '../helpers/door.js'
import { ensureDoorBuilt, launchChromium, listen, pair, phone, verdictAfter, wedge } from '../helpers/door-browser.js'

// The door app in a real browser (Chromium without a camera: codes come from a hand scanner or the keyboard).
// One browser for the file; each test is a new device (browser context) paired with its own scanner.

await ensureDoorBuilt()
const browser = await launchChromium(t)
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

async function setup(tt: Test) {
  const d = await doorSetup(tt)
  const base = await listen(d.ctx)
  const fair = await d.event({ visitorCapacity: 100 })
  return { d, base, fair }
}

/** The scanner's pairing link, pointed at this test's port (SERVICE_URL is the default, http://localhost:3000). */
async function pairedPhone(tt: Test, d: Door, base: string, eventId: string, gate = 'Eingang Süd', locale?: string) {
  const scanner = await d.scanner(eventId, { label: 'Phone', gate })
  tt.ok(scanner.pairingUrl.startsWith(`${d.ctx.config.serviceUrl}/door#event=${eventId}&token=vmd_`), 'the pairing link is SERVICE_URL/door#…')
  const link = new URL(scanner.pairingUrl)
  const device = await phone(browser, base, { locale })
  await pair(device.page, `${base}${link.pathname}${link.hash}`)
  return { ...device, scanner }
}

const forge = (code: string) => code.slice(0, 40) + (code[40] === 'A' ? 'B' : 'A') + code.slice(41)
const scansOf = (d: Door, ticketId: string) => d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, ticketId))
const text = (page: Page, id: string) => page.locator(`#${id}`).innerText()

async function axe(page: Page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document)
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  })
}

t.test('pairing, then scans typed by a hand scanner: a code, a forged code, the same code twice; the search', async (t) => {
  const { d, base, fair } = await setup(t)
  const family = await d.register(fair.id, 3, 'Ayşe Yılmaz')
  const single = await d.register(fair.id, 1, 'Jörg Müller')
  const pass = await d.exhibitorPass(fair.id, 'Petra Stand')
  const { page, problems, scanner } = await pairedPhone(t, d, base, fair.id)

  t.equal(new URL(page.url()).hash, '', 'the token is gone from the address bar (replaced, so not in the history either)')
  await page.waitForFunction(() => /\d+ \/ 100 im Saal/.test(document.getElementById('occupancy')!.textContent ?? ''))
  t.equal(await text(page, 'camera-status'), 'Keine Kamera verfügbar. Code eintippen oder Handscanner benutzen.')

  await wedge(page, family.ticket.code, family.ticket.code)
  let v = await verdictAfter(page, 1)
  t.match(v, { shown: true, status: 'ok', title: 'Willkommen', name: 'Ayşe Yılmaz', detail: '3 Personen', offline: '' })
  await wedge(page, forge(family.ticket.code))
  v = await verdictAfter(page, 2)
  t.match(v, { status: 'rejected', reason: 'invalid_code', title: 'Kein gültiges Ticket. Code ist gefälscht oder beschädigt.', name: '' })
  t.equal(await page.evaluate(() => performance.getEntriesByName('door:verdict').length), 2, 'the same code within 3 s was not sent again')
  t.equal((await scansOf(d, family.ticket.id)).length, 1, 'the server recorded one scan of it')
  await page.waitForFunction(() => document.getElementById('occupancy')!.textContent === '3 / 100 im Saal')

  // Another door admitted the pass first: amber, with when and where.
  const north = await d.scanner(fair.id, { label: 'Tablet', gate: 'Eingang Nord' })
  await d.scan(fair.id, north.auth, { code: pass.code })
  await wedge(page, pass.code)
  v = await verdictAfter(page, 3)
  t.match(v, { status: 'rejected', reason: 'already_checked_in', name: 'Petra Stand' })
  t.match(v.title, /^Schon eingelassen um \d\d:\d\d an Eingang Nord\.$/)
  t.equal(await page.locator('#verdict').getAttribute('class'), 'warn')

  // Someone without a phone: found by a fragment of the name, admitted with one tap.
  await page.locator('#verdict-next').click()
  await page.locator('#search').fill('mül')
  await page.locator('#search-form button[type=submit]').click()
  const admit = page.getByRole('button', { name: 'Einlassen: Jörg Müller' })
  await admit.click()
  v = await verdictAfter(page, 4)
  t.match(v, { status: 'ok', name: 'Jörg Müller', detail: '1 Person' })
  const [record] = await scansOf(d, single.ticket.id)
  t.match(record, { result: 'ok', scannerId: scanner.id, gate: 'Eingang Süd' })
  t.ok(record.nonce, 'sent with a nonce')

  // Exit is one tap away.
  await page.locator('#verdict-next').click()
  await page.locator('#exit').click()
  await wedge(page, single.ticket.code)
  v = await verdictAfter(page, 5)
  t.match(v, { status: 'ok', title: 'Auf Wiedersehen', name: 'Jörg Müller' })
  t.match(must(await d.inject('GET', `/v1/events/${fair.id}/occupancy`, d.organizer.auth), 200), { inside: 3 + 1 - 1 + 1, entries: 5, exits: 1 })
  t.same(problems, [], 'no request elsewhere, no script error, no CSP violation')
})

t.test('offline: judged on the device, uploaded once each when the network returns, conflicts listed', async (t) => {
  const { d, base, fair } = await setup(t)
  const [a, b, c] = [await d.register(fair.id, 2, 'Anna Offline'), await d.register(fair.id, 1, 'Bert Offline'), await d.register(fair.id, 1, 'Cem Zweitür')]
  const revoked = await d.register(fair.id, 1, 'Rita Storniert')
  must(await d.inject('DELETE', `/v1/registrations/${revoked.id}`, bearer(revoked.manageToken)), 204)
  const { page, context, problems, scanner } = await pairedPhone(t, d, base, fair.id)
  await page.waitForFunction(() => /0 \/ 100/.test(document.getElementById('occupancy')!.textContent ?? ''))

  await context.setOffline(true)
  const expected = [
    [a.ticket.code, 'ok', 'Anna Offline'],
    [revoked.ticket.code, 'revoked', 'Rita Storniert'],
    [forge(b.ticket.code), 'invalid_code', ''],
    [b.ticket.code, 'ok', 'Bert Offline'],
    [c.ticket.code, 'ok', 'Cem Zweitür'],
  ]
  for (const [i, [code, outcome, name]] of expected.entries()) {
    await wedge(page, code)
    const v = await verdictAfter(page, i + 1)
    t.match(v, { status: outcome === 'ok' ? 'ok' : 'rejected', name, offline: 'offline, wird übertragen' }, `offline: ${outcome} ${name}`)
    if (outcome !== 'ok') t.equal(v.reason, outcome)
  }
  t.match(await text(page, 'banner'), /^Offline – Liste von \d\d:\d\d\. Scans werden später übertragen\. · 5 Scans warten auf Übertragung$/)
  t.equal(await text(page, 'occupancy'), '4 / 100 im Saal', 'counted on the device meanwhile')
  t.equal((await d.ctx.db.select().from(checkins).where(eq(checkins.eventId, fair.id))).length, 0, 'nothing reached the server yet')

  // Meanwhile another door admits Cem.
  const other = await d.scanner(fair.id, { label: 'Other', gate: 'Eingang Nord' })
  t.match(await d.scan(fair.id, other.auth, { code: c.ticket.code }), { status: 'ok' })

  // The network returns, but the first upload's answer is lost on the way back: the device sends it again.
  let answerLost!: () => void
  const lost = new Promise<void>((resolve) => (answerLost = resolve))
  await context.route('**/checkins/batch', async (route) => {
    await route.fetch()
    await route.abort('connectionreset')
    answerLost()
  })
  await context.setOffline(false)
  await lost
  await context.unroute('**/checkins/batch')
  await page.waitForFunction(() => /Offline.* · 5 Scans warten/.test(document.getElementById('banner')!.textContent!), undefined, { timeout: 20_000 })
  t.equal((await d.ctx.db.select().from(checkins).where(eq(checkins.scannerId, scanner.id))).length, 4, 'the server took the batch; the device saw no answer and kept it')
  await context.setOffline(true)
  await context.setOffline(false)
  await page.waitForFunction(() => document.getElementById('banner')!.textContent === 'Online', undefined, { timeout: 20_000 })

  const mine = await d.ctx.db.select().from(checkins).where(and(eq(checkins.scannerId, scanner.id), isNotNull(checkins.nonce)))
  t.equal(mine.length, 4, 'four genuine scans recorded (the forgery only counted), none twice')
  t.equal(new Set(mine.map((r) => r.nonce)).size, 4)
  const byTicket = Object.fromEntries(mine.map((r) => [r.ticketId, [r.result, r.reason]]))
  t.same(byTicket, {
    [a.ticket.id]: ['ok', null],
    [b.ticket.id]: ['ok', null],
    [c.ticket.id]: ['rejected', 'already_checked_in'],
    [revoked.ticket.id]: ['rejected', 'revoked'],
  })
  const server = must(await d.inject('GET', `/v1/events/${fair.id}/occupancy`, d.organizer.auth), 200)
  t.equal(server.inside, 4, 'Anna (2), Bert, Cem once')
  await page.waitForFunction((inside) => document.getElementById('occupancy')!.textContent === `${inside} / 100 im Saal`, server.inside)
  t.equal(await page.locator('#conflicts').isVisible(), true)
  t.same(await page.locator('#conflict-list li').allInnerTexts(), ['Cem Zweitür: hier eingelassen, Server: Schon eingelassen.'])
  t.same(problems, [])
})

t.test('a revoked scanner token wipes everything the device stored', async (t) => {
  const { d, base, fair } = await setup(t)
  const guest = await d.register(fair.id, 1, 'Vera Weg')
  const { page, scanner, problems } = await pairedPhone(t, d, base, fair.id, 'Eingang Süd', 'en-GB')
  await page.waitForFunction(() => document.getElementById('occupancy')!.textContent !== '')
  t.ok(await page.evaluate(async () => (await indexedDB.databases()).some((db) => db.name === 'vereinsmesse-door')), 'paired: data stored')
  must(await d.inject('DELETE', `/v1/scanners/${scanner.id}`, d.organizer.auth), 204)
  await wedge(page, guest.ticket.code)
  await page.locator('#unpaired').waitFor({ state: 'visible' })
  t.equal(await text(page, 'notice'), 'This device was signed out. All stored data has been deleted.', "in the browser's language")
  t.same(await page.evaluate(async () => ({ dbs: (await indexedDB.databases()).map((db) => db.name), local: localStorage.length })), { dbs: [], local: 0 })
  await page.reload()
  await page.locator('#unpaired').waitFor({ state: 'visible' })
  t.equal(await page.locator('#unpaired h1').innerText(), 'This device is not paired')
  t.same(await axe(page), [], 'axe: the pairing help')
  t.equal((await scansOf(d, guest.ticket.id)).length, 0)
  t.same(problems, [])
})

t.test('every language renders, Arabic right to left; axe finds no violation; screenshots', async (t) => {
  const { d, base, fair } = await setup(t)
  const guest = await d.register(fair.id, 3, 'Ayşe Yılmaz')
  const early = await d.register(fair.id, 1, 'Murat Demir')
  const { page, problems } = await pairedPhone(t, d, base, fair.id)
  await page.waitForFunction(() => /\d+ \/ 100 im Saal/.test(document.getElementById('occupancy')!.textContent ?? ''))
  // UPDATE_DOOR_SCREENSHOTS=1 writes the README's pictures; otherwise they only prove that each language renders.
  const dir = process.env.UPDATE_DOOR_SCREENSHOTS ? path.resolve(import.meta.dirname, '../../docs/door') : await mkdtemp(path.join(os.tmpdir(), 'door-shots-'))
  await mkdir(dir, { recursive: true })
  const seen = new Set<string>()
  t.same(await axe(page), [], 'axe: the scanning screen (de)')
  for (const language of ['de', 'en', 'tr', 'ar']) {
    await page.locator('#paired select.language').selectOption(language)
    const state = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      dir: document.documentElement.dir,
      empty: [...document.querySelectorAll<HTMLElement>('#paired [data-i18n], #verdict [data-i18n]')].filter((el) => !el.textContent!.trim()).map((el) => el.dataset.i18n),
      entry: document.getElementById('entry')!.textContent,
    }))
    t.match(state, { lang: language, dir: language === 'ar' ? 'rtl' : 'ltr', empty: [] }, `${language} renders`)
    seen.add(String(state.entry))
    await page.screenshot({ path: path.join(dir, `door-${language}.png`) })
  }
  t.equal(seen.size, 4, 'four different words for "entry"')
  t.same(await axe(page), [], 'axe: the scanning screen (ar, right to left)')

  await wedge(page, guest.ticket.code)
  const v = await verdictAfter(page, 1)
  t.match(v, { status: 'ok', title: 'أهلًا وسهلًا', detail: '3 أشخاص' })
  t.same(await axe(page), [], 'axe: a verdict')
  await page.screenshot({ path: path.join(dir, 'door-verdict-ar.png') })
  await page.locator('#verdict-next').click()
  await page.locator('#paired select.language').selectOption('de')
  const north = await d.scanner(fair.id, { label: 'Tablet', gate: 'Eingang Nord' })
  await d.scan(fair.id, north.auth, { code: early.ticket.code })
  await wedge(page, early.ticket.code)
  t.match(await verdictAfter(page, 2), { status: 'rejected', reason: 'already_checked_in', name: 'Murat Demir' })
  await page.screenshot({ path: path.join(dir, 'door-verdict-again-de.png') })
  t.same(problems, [])
})
