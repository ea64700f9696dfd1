#!/usr/bin/env node
/**
 * Builds the door app (src/door-app) into dist/door: the page, its script and style under content-hashed names
 * (cached for a year), the QR decoder's .wasm, the web app manifest and the service worker that caches them all.
 * Run by `npm run build:door` (and so by `npm install` / `npm ci` through `prepare`); the tests call buildDoor()
 * when dist/door is missing. Writes into a fresh directory and renames it into place, so a server or a parallel
 * test never reads half a build.
 */
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const source = path.join(root, 'src/door-app')
export const doorDist = path.join(root, 'dist/door')
const BASE = '/door/'
// Old iPhones and cheap Android phones: iOS 15 (iPhone 6s and later) and Chrome 87 read ES modules and all the syntax below.
const TARGET = ['es2020', 'safari15', 'chrome87']

const hashOf = (bytes) => createHash('sha256').update(bytes).digest('base64url').slice(0, 10)

async function hashedCopy(from, dir, name, ext) {
  const bytes = await readFile(from)
  const file = `${name}-${hashOf(bytes)}.${ext}`
  await writeFile(path.join(dir, 'assets', file), bytes)
  return file
}

export async function buildDoor({ out = doorDist, minify = true } = {}) {
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`
  await mkdir(path.join(tmp, 'assets'), { recursive: true })
  try {
    // The .wasm must be the build the polyfill's glue code was made with (barcode-detector pins an exact zxing-wasm).
    const fromPolyfill = createRequire(createRequire(import.meta.url).resolve('barcode-detector'))
    const wasm = await hashedCopy(fromPolyfill.resolve('zxing-wasm/reader/zxing_reader.wasm'), tmp, 'zxing_reader', 'wasm')
    const icon = await hashedCopy(path.join(source, 'icon.svg'), tmp, 'icon', 'svg')
    const app = await build({
      entryPoints: { app: path.join(source, 'main.ts'), style: path.join(source, 'app.css') },
      bundle: true,
      splitting: true,
      format: 'esm',
      target: TARGET,
      minify,
      sourcemap: false,
      legalComments: 'none',
      outdir: path.join(tmp, 'assets'),
      entryNames: '[name]-[hash]',
      chunkNames: 'chunk-[hash]',
      metafile: true,
      define: { DOOR_WASM_URL: JSON.stringify(`${BASE}assets/${wasm}`) },
      logLevel: 'warning',
    })
    const outputs = Object.keys(app.metafile.outputs).map((file) => path.basename(file))
    const js = outputs.find((f) => f.startsWith('app-') && f.endsWith('.js'))
    const css = outputs.find((f) => f.startsWith('style-') && f.endsWith('.css'))
    const html = (await readFile(path.join(source, 'index.html'), 'utf8'))
      .replaceAll('{{js}}', `${BASE}assets/${js}`)
      .replaceAll('{{css}}', `${BASE}assets/${css}`)
      .replaceAll('{{icon}}', `${BASE}assets/${icon}`)
    await writeFile(path.join(tmp, 'index.html'), html)
    const manifest = JSON.parse(await readFile(path.join(source, 'manifest.webmanifest'), 'utf8'))
    manifest.icons = [{ src: `${BASE}assets/${icon}`, sizes: 'any', type: 'image/svg+xml', purpose: 'any' }]
    await writeFile(path.join(tmp, 'manifest.webmanifest'), JSON.stringify(manifest, null, 2))

    const assets = [...outputs, wasm, icon].sort().map((f) => `${BASE}assets/${f}`)
    const shell = ['/door', `${BASE}manifest.webmanifest`, ...assets]
    // The worker's version changes with any file it caches, so a new build replaces the phone's copy.
    const version = hashOf(html + JSON.stringify(shell))
    await build({
      entryPoints: [path.join(source, 'sw.ts')],
      bundle: true,
      format: 'iife',
      target: TARGET,
      minify,
      legalComments: 'none',
      outfile: path.join(tmp, 'sw.js'),
      define: { DOOR_SHELL: JSON.stringify(shell), DOOR_VERSION: JSON.stringify(version) },
      logLevel: 'warning',
    })
    if (existsSync(out)) await rename(out, `${out}.old-${process.pid}`)
    try {
      await rename(tmp, out)
    } catch (err) {
      // Another process put its build in place first: theirs is as good as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err
    }
    await rm(`${out}.old-${process.pid}`, { recursive: true, force: true })
    return { out, js: assets.filter((f) => f.endsWith('.js')), wasm: `${BASE}assets/${wasm}` }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { out } = await buildDoor()
  process.stdout.write(`door app built into ${path.relative(process.cwd(), out) || out}\n`)
}
