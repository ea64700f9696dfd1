import t from 'tap'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from '../../helpers/app.js'
import { ensureDoorBuilt } from '../../helpers/door-browser.js'
import { problem } from '../../helpers/problem.js'
import { LANGUAGES } from '../../../src/door-app/i18n.js'

// GET /door and its files: the app's own CSP, caching that lets a phone update, and the size budget.

await ensureDoorBuilt()

t.test('the page: its own strict CSP, revalidated on every load', async (t) => {
  const { app } = await build(t)
  const page = await app.inject({ method: 'GET', url: '/door' })
  t.equal(page.statusCode, 200)
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(page.headers['cache-control'], 'no-cache')
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /script-src 'self' 'wasm-unsafe-eval';/, 'scripts from here only; wasm may compile')
  t.match(csp, /connect-src 'self';/, 'no request leaves for another host')
  t.match(csp, /frame-ancestors 'none'/)
  t.notMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*|https?:|blob:|data:/, 'nothing inline, no eval, no other host')
  t.equal(page.headers['x-frame-options'], 'DENY')
  t.notMatch(page.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|style=/, 'no inline script, handler or style')
  const again = await app.inject({ method: 'GET', url: '/door', headers: { 'if-none-match': String(page.headers.etag) } })
  t.equal(again.statusCode, 304)

  const api = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(api.headers['content-security-policy'], "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'", 'the API keeps its own policy')
})

t.test('the files: hashed names cached for a year; worker and manifest revalidated', async (t) => {
  const { app } = await build(t)
  const html = (await app.inject({ method: 'GET', url: '/door' })).body
  const assets = [...html.matchAll(/(?:src|href)="(\/door\/assets\/[^"]+)"/g)].map((m) => m[1])
  t.equal(assets.length, 3, 'script, style, icon')
  for (const url of assets) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, url)
    t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', url)
  }
  const sw = await app.inject({ method: 'GET', url: '/door/sw.js' })
  t.match(sw.headers, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'service-worker-allowed': '/door' })
  const shell = JSON.parse(/\[("\/door"[^\]]*)\]/.exec(sw.body)![0]) as string[]
  t.ok(shell.includes('/door') && shell.some((f) => f.endsWith('.wasm')), 'the worker caches the page and the decoder')
  for (const url of shell) t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} is served`)
  const wasm = await app.inject({ method: 'GET', url: shell.find((f) => f.endsWith('.wasm'))! })
  t.equal(wasm.headers['content-type'], 'application/wasm', 'so that it compiles while it streams')
  const manifest = await app.inject({ method: 'GET', url: '/door/manifest.webmanifest' })
  t.match(manifest.json(), { start_url: '/door', display: 'standalone' })

  problem(t, await app.inject({ method: 'GET', url: '/door/assets/nothing-here.js' }), 404, 'not_found')
  problem(t, await app.inject({ method: 'GET', url: '/door/assets/..%2Fpackage.json' }), 400, 'invalid_request')
})

t.test('JavaScript under 60 KB gzipped, apart from the wasm', async (t) => {
  const dir = path.resolve(import.meta.dirname, '../../../dist/door')
  const { app } = await build(t)
  const sw = (await app.inject({ method: 'GET', url: '/door/sw.js' })).body
  const scripts = [...sw.matchAll(/"(\/door\/assets\/[^"]+\.js)"/g)].map((m) => m[1])
  let total = gzipSync(await readFile(path.join(dir, 'sw.js')), { level: 9 }).length
  for (const url of scripts) total += gzipSync(await readFile(path.join(dir, url.replace('/door/', ''))), { level: 9 }).length
  t.ok(total < 60 * 1024, `${(total / 1024).toFixed(1)} KB gzipped`)
})

t.test('every word of the app in all four languages', async (t) => {
  const keys = Object.keys(LANGUAGES.de).sort()
  for (const [language, messages] of Object.entries(LANGUAGES)) {
    t.same(Object.keys(messages).sort(), keys, `${language}: the same keys`)
    for (const [key, text] of Object.entries(messages)) {
      t.ok(text.trim().length > 0, `${language}.${key} is not empty`)
      t.same(text.match(/\{\w+\}/g)?.sort() ?? [], (LANGUAGES.de as Record<string, string>)[key].match(/\{\w+\}/g)?.sort() ?? [], `${language}.${key}: the same placeholders`)
    }
  }
  const html = await readFile(path.resolve(import.meta.dirname, '../../../src/door-app/index.html'), 'utf8')
  for (const [, key] of html.matchAll(/data-i18n(?:-label)?="(\w+)"/g)) t.ok(key in LANGUAGES.de, `index.html names ${key}`)
})
