import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { Problem } from '../../http/problem.js'
import type { FeatureRoutes } from '../../http/routes.js'

/**
 * The door app's own policy, replacing the API's "load nothing" (security.ts) on its files: scripts and styles from
 * here only and never inline; `wasm-unsafe-eval` because the QR decoder is WebAssembly (it allows compiling wasm,
 * not eval); the API, the snapshot and the .wasm fetched from this origin only.
 */
export const DOOR_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
}

interface DoorFile {
  body: Buffer
  type: string
  etag: string
}

/** dist/door of this checkout, found from this file whether it runs from src/ (tsx) or compiled under dist/. */
function doorDirectory(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist/door')
    const parent = path.dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

async function loadFiles(dir: string): Promise<Map<string, DoorFile>> {
  const files = new Map<string, DoorFile>()
  for (const name of ['index.html', 'sw.js', 'manifest.webmanifest', ...(await readdir(path.join(dir, 'assets'))).map((f) => `assets/${f}`)]) {
    const body = await readFile(path.join(dir, name))
    const type = TYPES[path.extname(name)]
    if (!type) continue
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` })
  }
  return files
}

/**
 * Serves the door app (`GET /door`, built by `npm run build:door` into dist/door) from memory: the page, the service
 * worker and the manifest are revalidated on every load (`no-cache` + ETag), so a phone picks up a new version;
 * everything under /door/assets/ has its content hash in its name and is cached for a year.
 */
export const doorAppRoutes: FeatureRoutes = async (app) => {
  const dir = doorDirectory()
  let files: Promise<Map<string, DoorFile>> | undefined
  // Read on first use: the API starts (and its tests run) without a built door app.
  const filesOnce = () => {
    files ??= (dir ? loadFiles(dir) : Promise.reject(new Error('no package.json above the service'))).catch((err: Error) => {
      files = undefined
      app.log.error({ err, dir }, 'door app not built: run `npm run build:door`')
      throw new Problem(404, 'not_found', 'The door app is not built on this server.')
    })
    return files
  }

  async function send(request: FastifyRequest, reply: FastifyReply, name: string, cacheControl: string) {
    const file = (await filesOnce()).get(name)
    if (!file) throw new Problem(404, 'not_found', 'No such file of the door app.')
    reply
      .header('content-security-policy', DOOR_CSP)
      .header('content-type', file.type)
      .header('cache-control', cacheControl)
      .header('etag', file.etag)
      // The camera, for this page only; nothing else a browser could hand it.
      .header('permissions-policy', 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()')
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.send(file.body)
  }

  const page = { schema: { hide: true } }
  app.get('/door', page, (request, reply) => send(request, reply, 'index.html', 'no-cache'))
  app.get('/door/manifest.webmanifest', page, (request, reply) => send(request, reply, 'manifest.webmanifest', 'no-cache'))
  app.get('/door/sw.js', page, (request, reply) => {
    // Registered with scope /door, which is above the worker's own folder (/door/) and so has to be allowed.
    reply.header('service-worker-allowed', '/door')
    return send(request, reply, 'sw.js', 'no-cache')
  })
  app.get(
    '/door/assets/:file',
    { schema: { hide: true, params: Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,100}$' }) }) } },
    (request, reply) => send(request, reply, `assets/${request.params.file}`, 'public, max-age=31536000, immutable'),
  )
}
