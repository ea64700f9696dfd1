import type { Test } from 'tap'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { TestContext } from './app.js'

const root = path.resolve(import.meta.dirname, '../..')

const newest = (dir: string): number => Math.max(...readdirSync(dir).map((f) => statSync(path.join(dir, f)).mtimeMs))

/**
 * dist/door built, as `npm install` would have; built again when a source of the app (or the judge it shares with
 * the server) is newer, so that a test never runs yesterday's app.
 */
export async function ensureDoorBuilt() {
  let built = 0
  try {
    built = statSync(path.join(root, 'dist/door/index.html')).mtimeMs
  } catch {
    // not built yet
  }
  const sources = Math.max(newest(path.join(root, 'src/door-app')), statSync(path.join(root, 'src/features/checkin/judge.ts')).mtimeMs)
  if (built > sources) return
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { buildDoor } = (await import('../../scripts/build-door.mjs')) as { buildDoor: () => Promise<unknown> }
  await buildDoor()
}

/** The app of a test on a real port, for a browser: 127.0.0.1 counts as a secure context (camera, service worker). */
export async function listen(ctx: TestContext): Promise<string> {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const address = ctx.app.server.address()
  if (!address || typeof address === 'string') throw new Error('not listening on a port')
  return `http://127.0.0.1:${address.port}`
}

// The flags: without the last five, Chromium floods the closed network with connection attempts.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** One Chromium per test file (Debian's, driven by playwright-core), closed when the test ends. */
export async function launchChromium(t: Test, extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...FLAGS, ...extraArgs], timeout: 60_000 })
  t.teardown(() => browser.close())
  return browser
}

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true }

/**
 * A phone-sized page that records what a strict page must never do: a request to another host, a script error,
 * a CSP violation. `problems` is checked at the end of each test.
 */
export async function phone(browser: Browser, base: string, options: { locale?: string } = {}) {
  const context: BrowserContext = await browser.newContext({ ...PHONE, locale: options.locale ?? 'de-DE', timezoneId: 'Europe/Berlin' })
  const page = await context.newPage()
  const problems: string[] = []
  const origin = new URL(base).origin
  context.on('request', (request) => {
    const url = new URL(request.url())
    if (url.protocol.startsWith('http') && url.origin !== origin) problems.push(`request to another host: ${request.url()}`)
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|net::ERR_INTERNET_DISCONNECTED/.test(message.text())) problems.push(`console: ${message.text()}`)
  })
  return { context, page, problems }
}

/** Opens the scanner's pairing link (made for SERVICE_URL = this server) and waits until the app is ready to scan. */
export async function pair(page: Page, pairingUrl: string) {
  await page.goto(pairingUrl)
  await page.waitForFunction(() => performance.getEntriesByName('door:ready').length > 0, undefined, { timeout: 30_000 })
}

/**
 * Codes typed by a hand scanner in keyboard mode: each character's key, then Enter, with the focus on no field.
 * Dispatched inside the page in one go, as fast as a scanner types (Playwright's keyboard, one round trip per key,
 * takes seconds for a 118-character code on a loaded machine, longer than the 3 s the app waits for a repeat).
 */
export async function wedge(page: Page, ...codes: string[]) {
  await page.evaluate((all) => {
    ;(document.activeElement as HTMLElement | null)?.blur()
    for (const code of all) {
      for (const key of [...code, 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
    }
  }, codes)
}

/** The verdict shown after `scans` verdicts have been painted in total on this page. */
export async function verdictAfter(page: Page, count: number) {
  await page.waitForFunction((n) => performance.getEntriesByName('door:verdict').length >= n, count, { timeout: 20_000 })
  return page.evaluate(() => {
    const box = document.getElementById('verdict')!
    const text = (id: string) => document.getElementById(id)!.textContent ?? ''
    return { shown: !box.hidden, status: box.dataset.status, reason: box.dataset.reason, title: text('verdict-title'), name: text('verdict-name'), detail: text('verdict-detail'), offline: text('verdict-offline') }
  })
}
