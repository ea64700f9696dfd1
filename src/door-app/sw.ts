/**
 * Keeps the door app on the phone: every file of it is cached at install and served from the cache first, so the
 * page opens in a hall with no network. The API (/v1/…) is never cached here: the app keeps its data in
 * IndexedDB and decides itself what a failed request means.
 */
declare const DOOR_SHELL: string[]
declare const DOOR_VERSION: string

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void
}
interface FetchEvent extends ExtendableEvent {
  request: Request
  respondWith(response: Promise<Response>): void
}
interface WorkerScope {
  skipWaiting(): Promise<void>
  clients: { claim(): Promise<void> }
  location: Location
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void
}

const worker = self as unknown as WorkerScope
const CACHE = `door-${DOOR_VERSION}`
const shell = new Set(DOOR_SHELL)

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(DOOR_SHELL))
      .then(() => worker.skipWaiting()),
  )
})

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('door-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => worker.clients.claim()),
  )
})

worker.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== worker.location.origin || !shell.has(url.pathname)) return
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(url.pathname)
      if (cached) return cached
      const response = await fetch(event.request)
      if (response.ok) await cache.put(url.pathname, response.clone())
      return response
    }),
  )
})
