/** The check-in API as the door app calls it: same origin, the scanner's bearer token, a deadline on every call. */
export class Unauthorized extends Error {}
/** No answer (no network, a timeout, the server down): the scan is judged on the device instead. */
export class Unreachable extends Error {}

export interface Answer<T> {
  status: number
  body: T | undefined
  etag: string | null
}

export async function call<T>(token: string, method: 'GET' | 'POST', path: string, options: { body?: unknown; etag?: string; timeoutMs?: number } = {}): Promise<Answer<T>> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 5000)
  let response: Response
  try {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (options.etag) headers['if-none-match'] = options.etag
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: controller.signal,
      cache: 'no-store',
      credentials: 'omit',
    })
  } catch {
    throw new Unreachable(`${method} ${path}`)
  } finally {
    clearTimeout(timer)
  }
  if (response.status === 401) throw new Unauthorized()
  // A proxy's error page or a database outage is no verdict: the device judges instead.
  if (response.status >= 500 || response.status === 429) throw new Unreachable(`${method} ${path}: ${response.status}`)
  const body = response.status === 204 || response.status === 304 ? undefined : ((await response.json()) as T)
  return { status: response.status, body, etag: response.headers.get('etag') }
}
