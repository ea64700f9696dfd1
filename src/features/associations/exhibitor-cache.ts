/*
 * Answers of the exhibitor list and of matchmaking, kept in memory per API process and checked against the
 * database on every request.
 *
 * Both reads cost far more than the request around them (a 500-row join and a ranking for matches, 50 full
 * profiles for a list page), and both change rarely: when a booking is approved or ends, a stand or a profile
 * is edited, a co-exhibitor confirms, a vocabulary label changes. Triggers (migration 0007) bump a counter in
 * `content_versions` at every such commit, in the same transaction. A request reads the counters together with
 * the event (one statement it needs anyway) and serves the answer kept under exactly those counters, else
 * computes it. Reading the counters before the data means an answer can be newer than the counters it is kept
 * under, never older, so no instance ever serves a stale answer, and several instances need no coordination.
 */
import { createHash } from 'node:crypto'
import { eq, getTableColumns, sql } from 'drizzle-orm'
import type { FastifyReply } from 'fastify'
import { LRUCache } from 'lru-cache'
import type { Database } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { events } from '../../db/schema.js'
import type { EventRow } from '../../db/schema.js'
import { UUID_PATTERN } from '../../http/schemas.js'

export type EventWithVersion = EventRow & { contentVersion: string }

const withVersion = {
  ...getTableColumns(events),
  contentVersion: sql<string>`concat_ws('.',
    (select version from content_versions where scope = 'exhibitors:' || ${events.id}),
    (select version from content_versions where scope = 'vocabulary'))`,
}

/** The event (by id or slug) and the version of what its exhibitor list and matches show, in one statement. */
export async function findEventWithVersion(db: Database, idOrSlug: string): Promise<EventWithVersion | undefined> {
  const [row] = UUID_PATTERN.test(idOrSlug)
    ? await prepared(db, 'event_with_version_by_id', (d) =>
        d.select(withVersion).from(events).where(eq(events.id, sql.placeholder('id'))).limit(1).prepare('event_with_version_by_id'),
      ).execute({ id: idOrSlug.toLowerCase() })
    : await prepared(db, 'event_with_version_by_slug', (d) =>
        d.select(withVersion).from(events).where(eq(events.slug, sql.placeholder('slug'))).limit(1).prepare('event_with_version_by_slug'),
      ).execute({ slug: idOrSlug })
  return row
}

export interface CachedBody {
  /** the serialized answer, sent as it is */
  body: string
  /** strong, from the body: the same on every instance */
  etag: string
}

/**
 * Serialized answers by key, each valid for one content version. Bounded by size (bodies of a hostile mix of
 * cursors and limits cannot grow it past `maxBytes`); least recently used go first.
 */
export function versionedBodies(maxBytes = 32 * 1024 * 1024) {
  const entries = new LRUCache<string, CachedBody & { version: string }>({
    maxSize: maxBytes,
    sizeCalculation: (entry) => entry.body.length * 2 + 200,
  })
  return {
    /** The answer under `key`, or a fresh one from `compute` (kept when the version is still the one read). */
    async get(key: string, version: string, compute: () => Promise<string>): Promise<CachedBody> {
      const hit = entries.get(key)
      if (hit && hit.version === version) return hit
      const body = await compute()
      const entry = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, version }
      entries.set(key, entry)
      return entry
    },
    get size() {
      return entries.size
    },
  }
}

/** Sends a body the route's own schema serialized before (reply.serialize), as it is. */
export function sendSerialized(reply: FastifyReply, body: string) {
  return reply.type('application/json; charset=utf-8').send(body)
}
