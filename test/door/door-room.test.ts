import t from 'tap'
import { and, eq, isNotNull } from 'drizzle-orm'
import { checkins } from '../../src/db/schema.js'
import { doorSetup, must } from '../helpers/door.js'
import { ensureDoorBuilt, launchChromium, listen, pair, phone, verdictAfter, wedge } from '../helpers/door-browser.js'
import { programFixtures } from '../helpers/program-fixtures.js'

// The door app at a room door of the program (Chromium, codes from a hand scanner): a scanner bound to a room opens
// at the room's current session, scans with the session routes, judges offline from the snapshot's sessions and
// uploads through the session's batch route; an unbound scanner picks a session.

await ensureDoorBuilt()
const browser = await launchChromium(t)

t.test('a scanner bound to a room: the current session, online and offline', async (t) => {
  const d = await doorSetup(t)
  const base = await listen(d.ctx)
  const program = programFixtures(d.ctx.db)
  const fair = await d.event({ visitorCapacity: 100 })
  const hall = await program.room(fair.id, { name: 'Hall' })
  const earlier = await program.session(fair.id, hall.id, { startsAt: new Date(Date.now() - 5 * 3600_000), endsAt: new Date(Date.now() - 4 * 3600_000) })
  const now = await program.session(fair.id, hall.id, { seats: 3, reservation: 'required' })
  const pair2 = await d.register(fair.id, 2, 'Paar Reserviert')
  const single = await d.register(fair.id, 1, 'Sina Reserviert')
  const walkIn = await d.register(fair.id, 1, 'Walter Ohne')
  const crew = await d.exhibitorPass(fair.id, 'Stand Crew')
  await program.reserve(now.id, pair2)
  await program.reserve(now.id, single)
  await program.reserve(earlier.id, walkIn)

  const scanner = await d.scanner(fair.id, { label: 'Hall door', roomId: hall.id })
  const link = new URL(scanner.pairingUrl)
  const { page, context, problems } = await phone(browser, base)
  await pair(page, `${base}${link.pathname}${link.hash}`)
  await page.waitForFunction(() => /^Forum \d+ · \d\d:\d\d–\d\d:\d\d$/.test(document.getElementById('place')!.textContent ?? ''))
  t.ok(await page.locator('#place-choice-label').isHidden(), 'a bound scanner offers no choice')

  await wedge(page, pair2.ticket.code)
  t.match(await verdictAfter(page, 1), { status: 'ok', title: 'Willkommen', name: 'Paar Reserviert', detail: '2 Personen', offline: '' }, 'a reservation of the session running now')
  await page.waitForFunction(() => document.getElementById('occupancy')!.textContent === '2 / 3 Plätze belegt')
  await wedge(page, walkIn.ticket.code)
  t.match(await verdictAfter(page, 2), { status: 'rejected', reason: 'no_reservation', title: 'Keine Reservierung für diese Veranstaltung.', name: 'Walter Ohne' }, "a reservation of an earlier session does not count")

  await context.setOffline(true)
  await wedge(page, single.ticket.code)
  t.match(await verdictAfter(page, 3), { status: 'ok', name: 'Sina Reserviert', offline: 'offline, wird übertragen' }, 'offline: judged from the snapshot')
  await wedge(page, crew.code)
  t.match(await verdictAfter(page, 4), { status: 'rejected', reason: 'room_full', title: 'Raum ist voll.' }, 'offline: the room is full')
  t.equal(await page.locator('#occupancy').innerText(), '3 / 3 Plätze belegt')
  await context.setOffline(false)
  await page.waitForFunction(() => document.getElementById('banner')!.textContent === 'Online', undefined, { timeout: 20_000 })

  const logged = await d.ctx.db.select().from(checkins).where(and(eq(checkins.scannerId, scanner.id), isNotNull(checkins.nonce)))
  t.equal(logged.length, 4, 'every scan recorded once')
  t.ok(logged.every((r) => r.sessionId === now.id), 'all at the session running now')
  t.same(
    Object.fromEntries(logged.map((r) => [r.ticketId, r.reason ?? r.result])),
    { [pair2.ticket.id]: 'ok', [walkIn.ticket.id]: 'no_reservation', [single.ticket.id]: 'ok', [crew.id]: 'room_full' },
    'the offline scans uploaded through the session batch, judged alike',
  )
  t.equal((await d.checkin(fair.id, scanner.auth, { code: walkIn.ticket.code })).statusCode, 403, "the room's scanner is no event door")
  t.same(problems, [])
})

t.test('an unbound scanner picks a session, and back to the fair door', async (t) => {
  const d = await doorSetup(t)
  const base = await listen(d.ctx)
  const program = programFixtures(d.ctx.db)
  const fair = await d.event({ visitorCapacity: 100 })
  const room = await program.room(fair.id)
  const talk = await program.session(fair.id, room.id, { seats: 10, reservation: 'open' })
  const guest = await d.register(fair.id, 1, 'Greta Gast')
  const scanner = await d.scanner(fair.id)
  const link = new URL(scanner.pairingUrl)
  const { page, problems } = await phone(browser, base)
  await pair(page, `${base}${link.pathname}${link.hash}`)
  await page.locator('#place-choice-label').waitFor({ state: 'visible' })
  t.same(await page.locator('#place-choice option').allInnerTexts(), ['Messe-Einlass', (await page.locator('#place-choice option').nth(1).innerText())])
  await page.locator('#place-choice').selectOption(talk.id)
  await wedge(page, guest.ticket.code)
  t.match(await verdictAfter(page, 1), { status: 'ok', name: 'Greta Gast' })
  await page.waitForFunction(() => document.getElementById('occupancy')!.textContent === '1 / 10 Plätze belegt')
  await page.locator('#verdict-next').click()
  await page.locator('#place-choice').selectOption('')
  await page.waitForTimeout(3100) // the same code within 3 s is one person still holding up their phone
  await wedge(page, guest.ticket.code)
  t.match(await verdictAfter(page, 2), { status: 'ok', name: 'Greta Gast' }, "the fair's door: a door of its own")
  const logged = await d.ctx.db.select().from(checkins).where(eq(checkins.scannerId, scanner.id))
  t.same(logged.map((r) => r.sessionId).sort(), [null, talk.id].sort())
  t.equal(must(await d.inject('GET', `/v1/events/${fair.id}/occupancy`, d.organizer.auth), 200).inside, 1)
  t.same(problems, [])
})
