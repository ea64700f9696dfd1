import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { checkins } from '../../src/db/schema.js'
import { doorSetup, must } from '../helpers/door.js'
import { ensureDoorBuilt, launchChromium, listen, pair, phone, verdictAfter } from '../helpers/door-browser.js'
import { writeQrVideo } from '../helpers/fake-camera.js'

// A phone's camera shows a real ticket's QR code (Chromium's fake camera plays a video of it, over and over): the
// zxing-wasm decoder served by the service reads it, the server records one check-in, the screen shows the name.

t.test('the camera reads a ticket: one check-in, the holder on the screen', async (t) => {
  await ensureDoorBuilt()
  const d = await doorSetup(t)
  const base = await listen(d.ctx)
  const fair = await d.event({ visitorCapacity: 100 })
  const guest = await d.register(fair.id, 2, 'Kamera Kunde')
  const video = path.join(await mkdtemp(path.join(os.tmpdir(), 'door-camera-')), 'ticket.y4m')
  await writeQrVideo(video, guest.ticket.code)
  const browser = await launchChromium(t, ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`])

  const scanner = await d.scanner(fair.id, { label: 'Phone', gate: 'Eingang Süd' })
  const link = new URL(scanner.pairingUrl)
  const { page, problems } = await phone(browser, base)
  const wasm: string[] = []
  page.on('response', (response) => {
    if (response.url().endsWith('.wasm')) wasm.push(`${response.status()} ${new URL(response.url()).pathname}`)
  })
  await pair(page, `${base}${link.pathname}${link.hash}`)

  const verdict = await verdictAfter(page, 1)
  t.match(verdict, { status: 'ok', name: 'Kamera Kunde', detail: '2 Personen', offline: '' })
  t.match(wasm, [/^200 \/door\/assets\/zxing_reader-[\w-]+\.wasm$/], 'the decoder came from the service')

  // The code stays in front of the camera: it is read again and again, and never sent again while it stays.
  const firstRead = await page.evaluate(() => performance.getEntriesByName('door:verdict')[0].startTime)
  await page.waitForFunction(
    (since) => {
      const reads = performance.getEntriesByName('door:seen')
      return reads.length > 0 && reads[reads.length - 1].startTime - since > 3500
    },
    firstRead,
    { timeout: 30_000 },
  )
  t.equal(await page.evaluate(() => performance.getEntriesByName('door:verdict').length), 1, 'one verdict')
  const recorded = await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id))
  t.match(recorded, [{ result: 'ok', direction: 'entry', people: 2, scannerId: scanner.id }], 'exactly one check-in')
  t.match(must(await d.inject('GET', `/v1/events/${fair.id}/occupancy`, d.organizer.auth), 200), { inside: 2 })
  t.same(problems, [])
})
