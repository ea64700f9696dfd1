import { judgeScan } from '../features/checkin/judge.js'
import { call, Unauthorized, Unreachable } from './api.js'
import { storage, type Conflict, type Occupancy, type Pairing, type QueuedScan, type Snapshot, type SnapshotTicket, type StoredSnapshot } from './storage.js'
import { checkinPath, currentSession, eventIdOf, type SnapshotSession } from './target.js'
import { verifyCode } from './ticket-code.js'

export type Direction = 'entry' | 'exit'

export interface ScanRequest {
  code?: string
  ticketId?: string
  direction: Direction
}

/** What the screen shows for a scan, from the server or judged on the device (`offline`). */
export interface Verdict {
  status: 'ok' | 'rejected'
  reason?: string
  direction: Direction
  ticket?: { holderName: string | null; admits: number; kind: string; associationName: string | null }
  previous?: { at: string; gate: string | null }
  offline: boolean
}

interface ServerScanResult {
  status: 'ok' | 'rejected'
  reason?: string
  ticket?: { id: string; holderName: string | null; admits: number; kind: string; associationName: string | null }
  previous?: { at: string; gate: string | null }
  occupancy?: Occupancy
}

export interface DoorState {
  online: boolean
  snapshot: StoredSnapshot | undefined
  /** the session whose room door this is now; null: the event's door (or, bound to a room, no session now) */
  session: SnapshotSession | null
  /** bound to a room: the session follows the clock; else staff pick the event's door or a session */
  roomBound: boolean
  /** the occupancy of where it scans: the event, or the session's room */
  occupancy: Occupancy | undefined
  pending: number
  conflicts: Conflict[]
}

const SNAPSHOT_EVERY_MS = 30_000
/** An unbound scanner's choice of session (none: the event's door), kept across reloads. */
const PLACE_KEY = 'door-session'
// Beyond this a volunteer is left waiting: judge on the device and upload the scan later.
const ONLINE_DEADLINE_MS = 2500

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The door's logic without its screen: scans online with a nonce, judges on the device with the snapshot when the
 * server cannot be reached (the same judge as the server's, src/features/checkin/judge.ts), queues those scans and
 * uploads them through checkins/batch, keeps the snapshot fresh with its ETag. `onRevoked` runs after a 401 wiped
 * the device.
 */
export function createDoor(pairing: Pairing, hooks: { onChange(state: DoorState): void; onRevoked(): void }) {
  const eventId = eventIdOf(pairing.target)
  const base = `/v1/events/${encodeURIComponent(eventId)}`
  const roomId = pairing.target.kind === 'room' ? pairing.target.roomId : null
  const state: DoorState = { online: navigator.onLine, snapshot: undefined, session: null, roomBound: roomId !== null, occupancy: undefined, pending: 0, conflicts: [] }
  // Per place ('event' or a session id): the event's from its occupancy route, a room's from the last answer there.
  const occupancies = new Map<string, Occupancy>()
  const placeKey = () => state.session?.id ?? 'event'
  let ticketsById = new Map<string, SnapshotTicket>()
  let revoked = new Set<string>()
  let timer: ReturnType<typeof setInterval> | undefined
  let syncing: Promise<void> | undefined
  let stopped = false

  const changed = () => {
    if (!stopped) hooks.onChange({ ...state })
  }
  const useSnapshot = (stored: StoredSnapshot | undefined) => {
    state.snapshot = stored
    ticketsById = new Map(stored?.snapshot.tickets.map((t) => [t.id, t]))
    revoked = new Set(stored?.snapshot.revoked)
    updatePlace()
  }

  /** Where scans go now: a bound room's current session (by the clock), or the staff's choice. */
  function updatePlace() {
    const sessions = state.snapshot?.snapshot.sessions ?? []
    const chosen = localStorage.getItem(PLACE_KEY)
    state.session = roomId
      ? currentSession(sessions, roomId)
      : (chosen && sessions.find((s) => s.id === chosen && s.status === 'published')) || null
    state.occupancy = occupancies.get(placeKey())
  }

  /** An unbound scanner: scan at this session's room door (null: the event's door). */
  function choose(sessionId: string | null) {
    if (sessionId) localStorage.setItem(PLACE_KEY, sessionId)
    else localStorage.removeItem(PLACE_KEY)
    updatePlace()
    changed()
  }

  async function guarded<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work()
      state.online = true
      return result
    } catch (err) {
      if (err instanceof Unauthorized) {
        stop()
        await storage.wipe()
        hooks.onRevoked()
        return undefined
      }
      if (err instanceof Unreachable) {
        state.online = false
        return undefined
      }
      throw err
    } finally {
      changed()
    }
  }

  async function refreshSnapshot() {
    const answer = await call<Snapshot>(pairing.token, 'GET', `${base}/checkin-snapshot`, { etag: state.snapshot?.etag })
    const checkedAt = new Date().toISOString()
    if (answer.status === 200 && answer.body) {
      const stored = { etag: answer.etag ?? '', snapshot: answer.body, checkedAt }
      useSnapshot(stored)
      await storage.put('snapshot', stored)
    } else if (answer.status === 304 && state.snapshot) {
      state.snapshot = { ...state.snapshot, checkedAt }
      await storage.put('snapshot', state.snapshot)
    }
    if (roomId) return
    const occupancy = await call<Occupancy & { entries: number; exits: number }>(pairing.token, 'GET', `${base}/occupancy`)
    if (occupancy.body) await setOccupancy({ inside: occupancy.body.inside, capacity: occupancy.body.capacity }, 'event')
  }

  async function setOccupancy(occupancy: Occupancy, key = placeKey()) {
    occupancies.set(key, occupancy)
    if (key === placeKey()) state.occupancy = occupancy
    if (key === 'event') await storage.put('occupancy', occupancy)
  }

  /** Uploads the queue, oldest first, per door (the event's, each session's); what the server judged otherwise goes to the conflict list. */
  async function upload() {
    const queued = await storage.queued()
    const byDoor = new Map<string, QueuedScan[]>()
    for (const scan of queued) byDoor.set(scan.sessionId ?? '', [...(byDoor.get(scan.sessionId ?? '') ?? []), scan])
    for (const [sessionId, scansHere] of byDoor) {
      for (let i = 0; i < scansHere.length; i += 500) await uploadChunk(sessionId || null, scansHere.slice(i, i + 500))
    }
    state.pending = (await storage.queued()).length
    state.conflicts = await storage.conflicts()
  }

  async function uploadChunk(sessionId: string | null, chunk: QueuedScan[]) {
    const scans = chunk.map(({ nonce, code, ticketId, direction, scannedAt }) => ({ nonce, code, ticketId, direction, scannedAt }))
    const path = sessionId ? `/v1/sessions/${encodeURIComponent(sessionId)}/checkins/batch` : `${base}/checkins/batch`
    const answer = await call<{ results: ServerScanResult[] }>(pairing.token, 'POST', path, { body: { scans }, timeoutMs: 20_000 })
    // A session cancelled (409) or gone (404) meanwhile: its door admits nobody; the staff see each scan refused.
    if (sessionId && (answer.status === 409 || answer.status === 404)) {
      answer.body = { results: chunk.map(() => ({ status: 'rejected' as const, reason: 'noSessionNow' })) }
      answer.status = 200
    }
    // Refused as a whole (a phone clock far ahead): kept, never dropped; the next sync tries again.
    if (answer.status !== 200 || !answer.body) throw new Unreachable(`batch answered ${answer.status}`)
    const results = answer.body.results
    const conflicts: Conflict[] = []
    chunk.forEach((scan, j) => {
      const result = results[j]
      if (result && result.status !== scan.localStatus) {
        conflicts.push({
          nonce: scan.nonce,
          holderName: result.ticket?.holderName ?? scan.holderName,
          localStatus: scan.localStatus,
          serverStatus: result.status,
          serverReason: result.reason,
          at: scan.scannedAt,
        })
      }
    })
    await storage.addConflicts(conflicts)
    await storage.dequeue(chunk.map((s) => s.nonce))
    const last = results.at(-1)?.occupancy
    if (last) await setOccupancy(last, sessionId ?? 'event')
  }

  /** Upload what waits, then fetch what changed; one at a time. */
  function sync(): Promise<void> {
    syncing ??= guarded(async () => {
      await upload()
      await refreshSnapshot()
    }).finally(() => {
      syncing = undefined
    }) as Promise<void>
    return syncing
  }

  async function judgeHere(request: ScanRequest, scannedAt: string): Promise<{ verdict: Verdict; ticket: SnapshotTicket | undefined; ticketId: string | null }> {
    const snapshot = state.snapshot?.snapshot
    const ticketId = request.ticketId ?? (request.code && snapshot ? await verifyCode(request.code, snapshot.publicKeys) : null)
    const ticket = ticketId ? ticketsById.get(ticketId) : undefined
    const session = state.session
    const entryKey = ticketId && session ? `${session.id}|${ticketId}` : ticketId
    const local = entryKey ? await storage.entry(entryKey) : undefined
    // What this device did since the snapshot was made counts over the snapshot's word. At a room door only this
    // device's word counts: the snapshot does not say who is in which room.
    const inside = session ? (local?.inside ?? false) : local && (!snapshot || local.at > snapshot.generatedAt) ? local.inside : (ticket?.checkedIn ?? false)
    // A genuine code missing from the snapshot was issued after it: the signature says it is this event's ticket.
    const atDoor = ticketId ? { eventId, inside, revoked: ticket?.status === 'revoked' || revoked.has(ticketId) } : null
    let judged: { status: 'ok' } | { status: 'rejected'; reason: string } = judgeScan(atDoor, { eventId, direction: request.direction, signedFor: ticketId ? eventId : null })
    if (session && ticketId && judged.status === 'ok' && request.direction === 'entry') {
      // The room's two reasons, as the server gives them (session-checkins.service.ts).
      const here = state.occupancy
      if (session.reservation === 'required' && (ticket?.kind ?? 'visitor') === 'visitor' && !session.reservedTickets.includes(ticketId)) {
        judged = { status: 'rejected', reason: 'no_reservation' }
      } else if (here && here.inside + (ticket?.admits ?? 1) > session.seats) {
        judged = { status: 'rejected', reason: 'room_full' }
      }
    }
    const verdict: Verdict = {
      status: judged.status,
      reason: judged.status === 'rejected' ? judged.reason : undefined,
      direction: request.direction,
      ticket: ticketId ? { holderName: ticket?.holderName ?? null, admits: ticket?.admits ?? 1, kind: ticket?.kind ?? 'visitor', associationName: null } : undefined,
      previous: judged.status === 'rejected' && local?.inside && local.at ? { at: local.at, gate: null } : undefined,
      offline: true,
    }
    if (entryKey && judged.status === 'ok') {
      await storage.putEntry({ ticketId: entryKey, inside: request.direction === 'entry', at: scannedAt })
      if (state.occupancy) {
        const people = ticket?.admits ?? 1
        await setOccupancy({ ...state.occupancy, inside: Math.max(0, state.occupancy.inside + (request.direction === 'entry' ? people : -people)) })
      }
    }
    return { verdict, ticket, ticketId }
  }

  async function scan(request: ScanRequest): Promise<Verdict | undefined> {
    const scannedAt = new Date().toISOString()
    const id = nonce()
    const body = { ...(request.code ? { code: request.code } : { ticketId: request.ticketId }), direction: request.direction, scannedAt, nonce: id }
    // A bound room follows the clock: the next session starts without anyone touching the phone.
    if (roomId) updatePlace()
    const session = state.session
    if (roomId && !session) return { status: 'rejected', reason: 'noSessionNow', direction: request.direction, offline: false }
    if (navigator.onLine && state.online) {
      try {
        const answer = await call<ServerScanResult>(pairing.token, 'POST', checkinPath(pairing.target, session?.id ?? null), { body, timeoutMs: ONLINE_DEADLINE_MS })
        state.online = true
        const result = answer.body
        if (answer.status === 200 && result) {
          if (result.occupancy) await setOccupancy(result.occupancy)
          if (result.status === 'ok' && result.ticket) {
            await storage.putEntry({ ticketId: session ? `${session.id}|${result.ticket.id}` : result.ticket.id, inside: request.direction === 'entry', at: scannedAt })
          }
          changed()
          return { status: result.status, reason: result.reason, direction: request.direction, ticket: result.ticket, previous: result.previous, offline: false }
        }
        // The session was cancelled (409) or withdrawn (404) since the snapshot.
        if (session && (answer.status === 409 || answer.status === 404)) return { status: 'rejected', reason: 'noSessionNow', direction: request.direction, offline: false }
        // A 400 is a code the schema refuses (far too long): as good as a forgery.
        return { status: 'rejected', reason: 'invalid_code', direction: request.direction, offline: false }
      } catch (err) {
        if (err instanceof Unauthorized) {
          await guarded(() => Promise.reject(err))
          return undefined
        }
        if (!(err instanceof Unreachable)) throw err
        state.online = false
      }
    }
    const { verdict, ticket } = await judgeHere(request, scannedAt)
    const queued: QueuedScan = { ...body, localStatus: verdict.status, holderName: ticket?.holderName ?? null, ...(session ? { sessionId: session.id } : {}) }
    await storage.enqueue(queued)
    state.pending = (await storage.queued()).length
    changed()
    return verdict
  }

  /** Offline search over the snapshot's names: the same people the server's search would find, roughly. */
  function searchHere(q: string) {
    const words = q.toLocaleLowerCase().normalize('NFD').replace(/\p{M}/gu, '').split(/\s+/).filter(Boolean)
    const fold = (s: string) => s.toLocaleLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/ı/g, 'i')
    const items = []
    for (const t of ticketsById.values()) {
      if (t.status !== 'valid' || !t.holderName) continue
      const nameWords = fold(t.holderName).split(/\s+/)
      if (words.every((w) => nameWords.some((n) => n.startsWith(w)))) {
        items.push({ ticketId: t.id, kind: t.kind, name: t.holderName, admits: t.admits, checkedIn: t.checkedIn, associationName: null })
      }
      if (items.length >= 20) break
    }
    return items
  }

  async function search(q: string): Promise<Attendee[]> {
    if (navigator.onLine && state.online) {
      const answer = await guarded(() => call<{ items: Attendee[] }>(pairing.token, 'GET', `${base}/attendees?q=${encodeURIComponent(q)}&limit=20`))
      if (answer?.body) return answer.body.items
      if (state.online) return []
    }
    return searchHere(q)
  }

  async function start() {
    const stored = await storage.get<Occupancy>('occupancy')
    if (stored) occupancies.set('event', stored)
    useSnapshot(await storage.get<StoredSnapshot>('snapshot'))
    state.pending = (await storage.queued()).length
    state.conflicts = await storage.conflicts()
    changed()
    addEventListener('online', onOnline)
    addEventListener('offline', onOffline)
    timer = setInterval(() => void sync(), SNAPSHOT_EVERY_MS)
    void sync()
  }

  function onOnline() {
    state.online = true
    void sync()
  }
  function onOffline() {
    state.online = false
    changed()
  }

  function stop() {
    stopped = true
    clearInterval(timer)
    removeEventListener('online', onOnline)
    removeEventListener('offline', onOffline)
  }

  async function clearConflicts() {
    await storage.clearConflicts()
    state.conflicts = []
    changed()
  }

  return { start, stop, scan, search, sync, clearConflicts, choose }
}

export interface Attendee {
  ticketId: string
  kind: string
  name: string
  admits: number
  checkedIn: boolean
  associationName: string | null
}

export type Door = ReturnType<typeof createDoor>
