import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { ScanTarget, SnapshotSession } from './target.js'

/** What pairing stores: the scanner's token and where it scans. Personal data on the phone starts here. */
export interface Pairing {
  token: string
  target: ScanTarget
  pairedAt: string
}

export interface SnapshotTicket {
  id: string
  kind: 'visitor' | 'exhibitor'
  holderName: string | null
  admits: number
  status: 'valid' | 'revoked'
  checkedIn: boolean
}

export interface Snapshot {
  eventId: string
  publicKeys: { kid: string; algorithm: 'Ed25519'; key: string }[]
  tickets: SnapshotTicket[]
  revoked: string[]
  /** the program's sessions (absent in a snapshot stored before the program existed) */
  sessions?: SnapshotSession[]
  generatedAt: string
}

export interface StoredSnapshot {
  etag: string
  snapshot: Snapshot
  /** when the server last confirmed it (a 200 or a 304) */
  checkedAt: string
}

export interface Occupancy {
  inside: number
  capacity: number
}

/** A scan judged on the device, waiting for checkins/batch. The nonce makes the upload safe to repeat. */
export interface QueuedScan {
  nonce: string
  code?: string
  ticketId?: string
  direction: 'entry' | 'exit'
  scannedAt: string
  localStatus: 'ok' | 'rejected'
  holderName: string | null
  /** scanned at this session's room door (absent: the event's door) */
  sessionId?: string
}

/** What this device last did to a ticket, so that offline it does not admit one ticket twice. */
export interface LocalEntry {
  /** the ticket's id at the event's door; `{sessionId}|{ticketId}` at a room door */
  ticketId: string
  inside: boolean
  at: string
}

export interface Conflict {
  nonce: string
  holderName: string | null
  localStatus: 'ok' | 'rejected'
  serverStatus: 'ok' | 'rejected'
  serverReason?: string
  at: string
}

interface DoorDB extends DBSchema {
  settings: { key: string; value: unknown }
  queue: { key: string; value: QueuedScan; indexes: { scannedAt: string } }
  entries: { key: string; value: LocalEntry }
  conflicts: { key: string; value: Conflict }
}

const DB_NAME = 'vereinsmesse-door'
let opened: Promise<IDBPDatabase<DoorDB>> | undefined

function db() {
  opened ??= openDB<DoorDB>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore('settings')
      database.createObjectStore('queue', { keyPath: 'nonce' }).createIndex('scannedAt', 'scannedAt')
      database.createObjectStore('entries', { keyPath: 'ticketId' })
      database.createObjectStore('conflicts', { keyPath: 'nonce' })
    },
  })
  return opened
}

export const storage = {
  async get<T>(key: 'pairing' | 'snapshot' | 'occupancy'): Promise<T | undefined> {
    return (await (await db()).get('settings', key)) as T | undefined
  },
  async put(key: 'pairing' | 'snapshot' | 'occupancy', value: Pairing | StoredSnapshot | Occupancy) {
    await (await db()).put('settings', value, key)
  },
  async enqueue(scan: QueuedScan) {
    await (await db()).put('queue', scan)
  },
  async queued(): Promise<QueuedScan[]> {
    return (await db()).getAllFromIndex('queue', 'scannedAt')
  },
  async dequeue(nonces: string[]) {
    const tx = (await db()).transaction('queue', 'readwrite')
    await Promise.all([...nonces.map((n) => tx.store.delete(n)), tx.done])
  },
  async entry(ticketId: string) {
    return (await db()).get('entries', ticketId)
  },
  async putEntry(entry: LocalEntry) {
    await (await db()).put('entries', entry)
  },
  async addConflicts(conflicts: Conflict[]) {
    const tx = (await db()).transaction('conflicts', 'readwrite')
    await Promise.all([...conflicts.map((c) => tx.store.put(c)), tx.done])
  },
  async conflicts(): Promise<Conflict[]> {
    return (await db()).getAll('conflicts')
  },
  async clearConflicts() {
    await (await db()).clear('conflicts')
  },
  /** Unpairing and a revoked token: nothing of the event stays on the phone (the app's own files may). */
  async wipe() {
    if (opened) (await opened).close()
    opened = undefined
    await deleteDB(DB_NAME)
    localStorage.clear()
    sessionStorage.clear()
  },
}
