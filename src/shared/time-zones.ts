import { LRUCache } from 'lru-cache'

// Building an Intl.DateTimeFormat costs tens of microseconds, and it is asked for every email queued;
// the answers never change and there are a few hundred zones at most.
const zones = new LRUCache<string, { canonical: string | null }>({ max: 1000 })

/**
 * The canonical IANA name, or null when the runtime does not know the zone. The one rule for what a time zone
 * is, shared by events, email data and calendar files.
 */
export function canonicalTimeZone(name: string): string | null {
  const known = zones.get(name)
  if (known) return known.canonical
  let canonical: string | null
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    canonical = null
  }
  zones.set(name, { canonical })
  return canonical
}
