import type postgres from 'postgres'

/**
 * The invariants that registration, cancellation and check-in must keep whatever happens to a process or the
 * database in between: each query lists the rows breaking one rule, so an empty result means consistent.
 * Read straight from PostgreSQL (not through the service), after the fact. `eventIds` limits it to those events.
 */
export async function consistencyViolations(sql: postgres.Sql, eventIds?: string[]): Promise<string[]> {
  const scope = eventIds ? sql`and e.id = any(${eventIds}::uuid[])` : sql``
  const checks: [string, postgres.PendingQuery<postgres.Row[]>][] = [
    [
      // the counter beside the capacity is the sum of the confirmed parties, and never above the capacity
      'counter drift or overbooking',
      sql`select e.id, e.visitor_capacity, e.confirmed_people,
                 coalesce((select sum(r.party_size) from registrations r where r.event_id = e.id and r.status = 'confirmed'), 0)::int as confirmed_sum
            from events e
           where true ${scope}
             and (e.confirmed_people <> coalesce((select sum(r.party_size) from registrations r where r.event_id = e.id and r.status = 'confirmed'), 0)
                  or e.confirmed_people > e.visitor_capacity)`,
    ],
    [
      'visitor ticket without registration',
      sql`select t.id from tickets t join events e on e.id = t.event_id
           where t.kind = 'visitor' and (t.registration_id is null
                  or not exists (select 1 from registrations r where r.id = t.registration_id and r.event_id = t.event_id)) ${scope}`,
    ],
    [
      // exactly one live ticket admitting the whole party
      'confirmed registration without exactly one live ticket for its party',
      sql`select r.id, r.party_size,
                 (select count(*) from tickets t where t.registration_id = r.id and t.revoked_at is null)::int as live,
                 (select min(t.admits) from tickets t where t.registration_id = r.id and t.revoked_at is null) as admits
            from registrations r join events e on e.id = r.event_id
           where r.status = 'confirmed' ${scope}
             and ((select count(*) from tickets t where t.registration_id = r.id and t.revoked_at is null) <> 1
                  or exists (select 1 from tickets t where t.registration_id = r.id and t.revoked_at is null and t.admits <> r.party_size))`,
    ],
    [
      'waitlisted or cancelled registration with a live ticket',
      sql`select r.id, r.status from registrations r join events e on e.id = r.event_id
           where r.status <> 'confirmed' ${scope}
             and exists (select 1 from tickets t where t.registration_id = r.id and t.revoked_at is null)`,
    ],
    [
      'registration without a manage token',
      sql`select r.id from registrations r join events e on e.id = r.event_id
           where r.erased_at is null ${scope}
             and not exists (select 1 from registration_tokens k where k.registration_id = r.id)`,
    ],
    [
      // written in the same transaction: a registration whose email was lost is half-written too
      'live registration without its email in the outbox',
      sql`select r.id from registrations r join events e on e.id = r.event_id
           where r.status <> 'cancelled' and r.erased_at is null ${scope}
             and not exists (select 1 from outbox_emails o where o.event_id = r.event_id and lower(o.to_address) = lower(r.email))`,
    ],
    [
      // people inside: the sharded counter is the sum of what the tickets say
      'occupancy counter drift',
      sql`select e.id,
                 coalesce((select sum(s.inside) from occupancy_shards s where s.event_id = e.id), 0)::int as counted,
                 coalesce((select sum(t.inside_people) from tickets t where t.event_id = e.id), 0)::int as tickets
            from events e
           where true ${scope}
             and coalesce((select sum(s.inside) from occupancy_shards s where s.event_id = e.id), 0)
                 <> coalesce((select sum(t.inside_people) from tickets t where t.event_id = e.id), 0)`,
    ],
    [
      'ticket inside without an accepted entry scan',
      sql`select t.id from tickets t join events e on e.id = t.event_id
           where t.inside ${scope}
             and not exists (select 1 from checkins c where c.ticket_id = t.id and c.result = 'ok' and c.direction = 'entry')`,
    ],
  ]
  const violations: string[] = []
  for (const [rule, query] of checks) {
    const rows = await query
    for (const row of rows.slice(0, 5)) violations.push(`${rule}: ${JSON.stringify(row)}`)
    if (rows.length > 5) violations.push(`${rule}: … ${rows.length - 5} more`)
  }
  return violations
}
