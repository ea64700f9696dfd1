import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { associations, standBookings } from '../../db/schema.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../../mail/templates.js'
import { isEventStaff } from '../events/event-access.js'
import { isMemberOf } from './associations.service.js'
import { approvedExhibitorsQuery } from './exhibitors.service.js'
import { rankMatches } from './matchmaking.js'
import { loadVocabulary } from './vocabularies.service.js'

/**
 * The caller's language: `?lang=` if given, else the best of Accept-Language that we write (q-values honoured,
 * `de-AT` counts as `de`), else German.
 */
export function matchLocale(lang: Locale | undefined, acceptLanguage: string | undefined): Locale {
  if (lang) return lang
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';')
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
      return { language: tag.trim().split('-')[0].toLowerCase(), q: q === undefined ? 1 : Number(q), index }
    })
    .filter((w) => w.q > 0 && (LOCALES as readonly string[]).includes(w.language))
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return (wanted[0]?.language as Locale | undefined) ?? DEFAULT_LOCALE
}

/**
 * Who may see an association's matches: its members and the event's staff. An exhibitor asking for another
 * association's matches gets 403 (the association is public, so a 404 would hide nothing). Checked before the
 * booking, so a non-member learns nothing about another association's booking either.
 */
export async function assertMaySeeMatches(db: Database, principal: Principal | null, eventId: string, associationId: string) {
  if (!principal) throw Problem.unauthenticated()
  if (principal.kind !== 'account') throw Problem.forbidden('This route needs an account session.')
  if (await isEventStaff(db, principal, eventId)) return
  if (principal.account.role === 'exhibitor' && (await isMemberOf(db, principal.account.id, associationId))) return
  throw Problem.forbidden('Only members of this association and the organizers of this event may see its matches.')
}

/** What the ranking reads of every exhibitor: short columns only, no descriptions or addresses; prepared once. */
function rankingProfiles(db: Database, eventId: string) {
  return prepared(db, 'matches_ranking_profiles', (d) =>
    d
      .select({
        id: associations.id,
        name: associations.name,
        district: associations.district,
        fieldsOfActivity: associations.fieldsOfActivity,
        targetGroups: associations.targetGroups,
        migrantOrganization: associations.migrantOrganization,
      })
      .from(standBookings)
      .innerJoin(associations, eq(associations.id, standBookings.associationId))
      .where(and(eq(standBookings.eventId, sql.placeholder('eventId')), sql`${standBookings.status} = 'approved'`))
      .prepare('matches_ranking_profiles'),
  ).execute({ eventId })
}

/** The public profile and stand of the best matches, by id (one array parameter, so one prepared statement). */
function matchDetails(db: Database, eventId: string, associationIds: string[]) {
  return prepared(db, 'matches_details', (d) =>
    approvedExhibitorsQuery(d, sql.placeholder('eventId'), sql`${associations.id} = any(${sql.placeholder('ids')}::uuid[])`)
      // uuids need no quoting in an array literal
      .prepare('matches_details'),
  ).execute({ eventId, ids: `{${associationIds.join(',')}}` })
}

/**
 * The other exhibitors of the fair ranked for one exhibitor (the caller checked assertMaySeeMatches). One query
 * reads what the ranking needs of every approved exhibitor (500 rows of a few short columns), one the vocabulary
 * for the reasons' labels; the ranking is pure JS (`rankMatches`); a last query reads the full public profile and
 * stand of the `limit` best only, so the size of the answer, not of the fair, decides what travels. An association
 * without an approved booking at this event has no matches: 404. The route keeps the answers (exhibitor-cache.ts).
 */
export async function rankedMatches(db: Database, eventId: string, query: { associationId: string; limit: number }, locale: Locale) {
  const [exhibitors, vocabulary] = await Promise.all([rankingProfiles(db, eventId), loadVocabulary(db)])
  const self = exhibitors.find((e) => e.id === query.associationId)
  if (!self) throw new Problem(404, 'not_found', 'This association has no approved stand at this event.')
  const ranked = rankMatches(self, exhibitors, { locale, vocabulary, limit: query.limit })
  if (!ranked.length) return { items: [] }
  const details = await matchDetails(db, eventId, ranked.map((m) => m.association.id))
  const byId = new Map(details.map((d) => [d.association.id, d]))
  return {
    // An exhibitor withdrawn between the two reads is left out rather than shown without its stand.
    items: ranked.flatMap(({ association, score, reasons }) => {
      const detail = byId.get(association.id)
      return detail ? [{ association: detail.association, stand: detail.stand, score, reasons }] : []
    }),
  }
}
