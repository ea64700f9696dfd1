import t, { type Test } from 'tap'
import { confirmedCountWrites, describe, sourceFiles, tableWrites, type Write } from '../helpers/source-scan.js'

// Each table with a rule behind it has one module that writes it; every other module calls that module by
// name (issue #8). A plain-text scan of src/: it reads what the code says, so a new writer fails here at once.

const TICKETS_OWNER = 'src/features/tickets/tickets.store.ts'
const CAPACITY_OWNER = 'src/features/capacity/places.ts'
const MAGIC_LINKS_OWNER = 'src/features/auth/magic-link.service.ts'

// The door state of a ticket (is the holder inside, the version of that state) is check-in's: its hot
// statements judge and record a scan in one round trip (a batch of online scans: scan-batches.ts). They may set
// these columns of `tickets` and no other.
const SCAN_WRITER = 'src/features/checkin/checkins.service.ts'
const DOOR_STATE_WRITERS = new Set([SCAN_WRITER, 'src/features/checkin/scan-batches.ts'])
const DOOR_STATE_COLUMNS = new Set(['inside', 'inside_people', 'accepted_scans', 'last_accepted_at', 'last_accepted_gate'])

const files = sourceFiles('src')
const source = new Map(files.map((f) => [f.file, f.text]))

/** The columns a raw `update tickets … set a = …, b = …` assigns (a guess that errs towards too many). */
function columnsSet(write: Write): string[] {
  const statement = source.get(write.file)!.slice(write.index)
  const set = /\bset\b([\s\S]*?)(?:\bfrom\b|\bwhere\b|\breturning\b|`)/i.exec(statement)
  if (!set) return ['(unreadable)']
  return [...set[1].matchAll(/"?(\w+)"?\s*=(?!=)/g)].map((m) => m[1])
}

const doorStateOnly = (write: Write) =>
  DOOR_STATE_WRITERS.has(write.file) && /^\s*update\b/i.test(source.get(write.file)!.slice(write.index)) && columnsSet(write).every((c) => DOOR_STATE_COLUMNS.has(c))

function report(t: Test, owner: string, writes: Write[], what: string) {
  const strays = writes.map(describe)
  t.same(strays, [], `only ${owner} ${what}; found elsewhere:\n${strays.join('\n')}`)
}

t.test('only the tickets module writes tickets', async (t) => {
  const writes = tableWrites(files, 'tickets', 'tickets').filter((w) => w.file !== TICKETS_OWNER && !doorStateOnly(w))
  report(t, TICKETS_OWNER, writes, 'issues, revokes, renames or deletes tickets (check-in may set the door state)')
  t.ok(tableWrites(files, 'tickets', 'tickets').some((w) => w.file === TICKETS_OWNER), 'the owner is where the scan looks')
})

t.test('only the capacity module changes the confirmed count', async (t) => {
  const writes = confirmedCountWrites(files)
  report(t, CAPACITY_OWNER, writes.filter((w) => w.file !== CAPACITY_OWNER), 'changes events.confirmed_people')
  t.ok(writes.some((w) => w.file === CAPACITY_OWNER), 'the owner is where the scan looks')
})

t.test('only auth writes magic links', async (t) => {
  const writes = tableWrites(files, 'magicLinks', 'magic_links')
  report(t, MAGIC_LINKS_OWNER, writes.filter((w) => w.file !== MAGIC_LINKS_OWNER), 'writes magic_links')
  t.ok(writes.some((w) => w.file === MAGIC_LINKS_OWNER), 'the owner is where the scan looks')
})

t.test('the scan finds every form of write, with file and line', async (t) => {
  const sample = (text: string) => [{ file: 'src/x.ts', text }]
  const lines = (writes: Write[]) => writes.map((w) => w.line)
  t.same(lines(tableWrites(sample('a\nawait tx.insert(tickets).values(v)\ntx.update( tickets ).set(s)\ntx.delete(tickets)'), 'tickets', 'tickets')), [2, 3, 4])
  t.same(
    lines(tableWrites(sample('sql`INSERT INTO "tickets" (id)`\nsql`\n  Update tickets t set x = 1`\nsql`delete from public.tickets`\nsql`update ${tickets} set`'), 'tickets', 'tickets')),
    [1, 3, 4, 5],
  )
  t.same(lines(tableWrites(sample('tx.select().from(tickets)\nsql`update tickets_archive set a = 1`\n// we update tickets here\nsql`select * from tickets`'), 'tickets', 'tickets')), [], 'reads, other tables and comments are not writes')
  t.same(lines(tableWrites(sample('tx.insert(magicLinks).values(v)\nsql`update magic_links set used_at = now()`'), 'magicLinks', 'magic_links')), [1, 2])
  t.same(
    lines(confirmedCountWrites(sample('tx.update(events)\n  .set({\n    title,\n    confirmedPeople: sql`x`,\n  })\nsql`UPDATE events SET confirmed_people = confirmed_people + 1`\ntx.insert(events).values({ confirmedPeople: 3 })'))),
    [2, 6, 7],
  )
  t.same(
    lines(confirmedCountWrites(sample('const regs = { confirmedPeople: 0 }\ntx.select({ n: events.confirmedPeople }).from(events)\nsql`select e.confirmed_people from events e where e.confirmed_people = 0`\n.set({ title })'))),
    [],
    'reads and plain objects are not writes',
  )
  const door = { file: SCAN_WRITER, line: 1, text: '', index: 0 }
  const check = (text: string) => {
    source.set(SCAN_WRITER, text)
    return doorStateOnly(door)
  }
  const real = files.find((f) => f.file === SCAN_WRITER)?.text ?? ''
  t.ok(check('update tickets as t set inside = v.inside, accepted_scans = t.accepted_scans + 1 from v where t.id = v.id`'), 'door state only: allowed')
  t.notOk(check('update tickets as t set inside = true, revoked_at = now() where t.id = $1`'), 'anything else: refused')
  t.notOk(check('insert into tickets (id) values ($1)`'), 'check-in never inserts')
  source.set(SCAN_WRITER, real)
})
