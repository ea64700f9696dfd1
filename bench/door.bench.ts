/**
 * The door app in Chromium against a real server (PostgreSQL): time from a code read to its verdict on the screen,
 * 200 scans online and 200 offline (the browser context offline, judged on the device), p50/p95; the bundle's size
 * (JavaScript gzipped, and the .wasm); and the time until a cold phone-sized page (new browser context, nothing
 * cached) is ready to scan. Codes come in as a hand scanner types them (the camera's own frame rate is not ours).
 * Env: BENCH_DOOR_SCANS (200).
 */
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium, type Page } from 'playwright-core'
import { ADMIN, ROOT, createBenchDatabase, envNumber, jsonRequest, onCleanup, startApp, tempDir } from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const SCANS = envNumber('BENCH_DOOR_SCANS', 200)
const TARGET_VERDICT_MS = 300
const TARGET_BUNDLE_KB = 60
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'de-DE' }

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

async function bundleSize() {
  const dir = path.join(ROOT, 'dist/door')
  const assets = await readdir(path.join(dir, 'assets'))
  let js = gzipSync(await readFile(path.join(dir, 'sw.js')), { level: 9 }).length
  for (const f of assets.filter((f) => f.endsWith('.js'))) js += gzipSync(await readFile(path.join(dir, 'assets', f)), { level: 9 }).length
  const wasmFile = path.join(dir, 'assets', assets.find((f) => f.endsWith('.wasm'))!)
  const wasm = await readFile(wasmFile)
  return { jsKb: js / 1024, wasmKb: wasm.length / 1024, wasmGzKb: gzipSync(wasm, { level: 9 }).length / 1024 }
}

/** Types each code as a hand scanner would and reads the page's own measure: code read → verdict painted. */
async function scanAll(page: Page, codes: string[]): Promise<number[]> {
  const before = await page.evaluate(() => performance.getEntriesByName('door:verdict').length)
  for (const [i, code] of codes.entries()) {
    await page.keyboard.type(code)
    await page.keyboard.press('Enter')
    await page.waitForFunction((n) => performance.getEntriesByName('door:verdict').length >= n, before + i + 1)
  }
  return page.evaluate((from) => performance.getEntriesByName('door:verdict').slice(from).map((e) => e.duration), before)
}

async function run() {
  await import('../scripts/build-door.mjs' as string).then((m: { buildDoor: () => Promise<unknown> }) => m.buildDoor())
  const ours = await startApp('vereinsmesse door', { DATABASE_URL: await createBenchDatabase(), DATA_DIR: tempDir('vms-bench-door-'), LOG_LEVEL: 'warn' })
  const base = ours.baseUrl
  const { token } = await jsonRequest<{ token: string }>(`${base}/v1/auth/login`, { body: ADMIN })
  const startsAt = new Date(Date.now() + 30 * 24 * 3600 * 1000)
  const event = await jsonRequest<{ id: string }>(`${base}/v1/events`, {
    token,
    body: {
      slug: `door-bench-${Date.now()}`,
      title: 'Door bench',
      venue: { name: 'Halle', address: 'Straße 1, 44147 Dortmund' },
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 8 * 3600 * 1000).toISOString(),
      visitorCapacity: 5000,
    },
  })
  await jsonRequest(`${base}/v1/events/${event.id}/publish`, { token, method: 'POST' })
  const codes: string[] = []
  for (let i = 0; i < 2 * SCANS; i++) {
    const registration = await jsonRequest<{ ticket: { code: string } }>(`${base}/v1/events/${event.id}/registrations`, {
      body: { email: `door-${i}@example.org`, name: `Gast ${i}`, partySize: 1 + (i % 3), consent: { privacy: true } },
    })
    codes.push(registration.ticket.code)
  }
  const scanner = await jsonRequest<{ pairingUrl: string }>(`${base}/v1/events/${event.id}/scanners`, { token, body: { label: 'Bench', gate: 'Nord' } })
  const link = new URL(scanner.pairingUrl)

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: FLAGS })
  onCleanup(() => browser.close())

  // Cold: a new context has no cache and no service worker; ready = paired, snapshot loaded, scanner listening.
  const cold: number[] = []
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext(PHONE)
    const page = await context.newPage()
    const started = Date.now()
    await page.goto(`${base}${link.pathname}${link.hash}`)
    await page.waitForFunction(() => performance.getEntriesByName('door:ready').length > 0)
    cold.push(Date.now() - started)
    await context.close()
  }

  const context = await browser.newContext(PHONE)
  const page = await context.newPage()
  await page.goto(`${base}${link.pathname}${link.hash}`)
  await page.waitForFunction(() => performance.getEntriesByName('door:ready').length > 0 && document.getElementById('occupancy')!.textContent !== '')
  const online = (await scanAll(page, codes.slice(0, SCANS))).sort((a, b) => a - b)
  await context.setOffline(true)
  const offline = (await scanAll(page, codes.slice(SCANS))).sort((a, b) => a - b)
  await context.setOffline(false)
  await page.waitForFunction(() => document.getElementById('banner')!.textContent === 'Online', undefined, { timeout: 120_000 })

  const size = await bundleSize()
  const row = (mode: string, d: number[]) => ({ mode, scans: d.length, p50: fmt.ms(quantile(d, 0.5)), p95: fmt.ms(quantile(d, 0.95)), max: fmt.ms(d.at(-1)) })
  printTable('Code read → verdict on the screen (Chromium, 390×844)', [row('online', online), row('offline', offline)])
  printTable('Bundle and cold start', [
    { what: 'JavaScript, gzipped (app, chunks, service worker)', value: `${size.jsKb.toFixed(1)} KB` },
    { what: 'QR decoder .wasm (gzipped)', value: `${Math.round(size.wasmKb)} KB (${Math.round(size.wasmGzKb)} KB)` },
    { what: 'cold page → ready to scan (median of 3)', value: fmt.ms([...cold].sort((a, b) => a - b)[1]) },
  ])
  const verdicts = printVerdicts([
    { target: `online p95 ≤ ${TARGET_VERDICT_MS} ms`, actual: fmt.ms(quantile(online, 0.95)), ok: quantile(online, 0.95) <= TARGET_VERDICT_MS },
    { target: `offline p95 ≤ ${TARGET_VERDICT_MS} ms`, actual: fmt.ms(quantile(offline, 0.95)), ok: quantile(offline, 0.95) <= TARGET_VERDICT_MS },
    { target: `JavaScript < ${TARGET_BUNDLE_KB} KB gzipped`, actual: `${size.jsKb.toFixed(1)} KB`, ok: size.jsKb < TARGET_BUNDLE_KB },
  ])
  await ours.proc.stop()
  return summarize(verdicts, { ours: `p50 ${fmt.ms(quantile(online, 0.5))} online, ${fmt.ms(quantile(offline, 0.5))} offline`, p99: fmt.ms(quantile(online, 0.99)) })
}

export const scenario: Scenario = {
  description: 'The door app in Chromium: code read → verdict (200 online, 200 offline), bundle size, cold start',
  run,
}
