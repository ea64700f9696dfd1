import t from 'tap'
import { bearer, must, programSetup } from '../../helpers/program.js'

const p = await programSetup(t)
const { inject, organizer, fair } = p

t.test('rooms: create, list (public), patch, delete; room_in_use rules', async (t) => {
  const room = await p.room({ name: 'Saal Nord', capacity: 40, accessible: true })
  t.match(room, { name: 'Saal Nord', capacity: 40, accessible: true, notes: null })
  const list = must(await inject('GET', `/v1/events/${fair.id}/rooms`), 200)
  t.ok(list.items.some((r: any) => r.id === room.id), 'the public sees the rooms')
  const s = await p.session(room, { seats: 30 }, { publish: false })
  const low = await inject('PATCH', `/v1/rooms/${room.id}`, organizer.auth, { capacity: 20 })
  t.equal(low.statusCode, 409)
  t.equal(low.json().code, 'room_in_use', 'a capacity below a session\'s seats')
  t.equal(must(await inject('PATCH', `/v1/rooms/${room.id}`, organizer.auth, { capacity: 30, notes: 'Beamer' }), 200).capacity, 30)
  const del = await inject('DELETE', `/v1/rooms/${room.id}`, organizer.auth)
  t.equal(del.json().code, 'room_in_use', 'a room with a draft session cannot be deleted')
  must(await inject('POST', `/v1/sessions/${s.id}/cancel`, organizer.auth), 200)
  t.equal((await inject('DELETE', `/v1/rooms/${room.id}`, organizer.auth)).statusCode, 204)
  t.notOk(must(await inject('GET', `/v1/events/${fair.id}/rooms`), 200).items.some((r: any) => r.id === room.id), 'gone from the list')
  const after = must(await inject('GET', `/v1/sessions/${s.id}`), 200)
  t.equal(after.room.name, 'Saal Nord', 'a cancelled session keeps showing the deleted room')
  t.equal((await inject('PATCH', `/v1/rooms/${room.id}`, organizer.auth, { name: 'x' })).statusCode, 404)
})

t.test('sessions: defaults, validation, room_busy with half-open times', async (t) => {
  const room = await p.room({ capacity: 25 })
  const s = await p.session(room, {}, { publish: false, minutes: 60 })
  t.match(s, { status: 'draft', seats: 25, seatsLeft: 25, waitlist: false, reservation: 'required', hosts: [] })
  t.equal((await inject('GET', `/v1/sessions/${s.id}`)).statusCode, 404, 'a draft is 404 to the public')
  t.equal((await inject('GET', `/v1/sessions/${s.id}`, organizer.auth)).statusCode, 200, 'organizers see it')
  const adjacent = await p.session(room, {}, { publish: false, offsetMinutes: 60 })
  t.ok(adjacent.id, 'a session starting when the other ends does not overlap')
  const busy = await inject('POST', `/v1/events/${fair.id}/sessions`, organizer.auth, {
    title: 'Overlap', kind: 'talk', topics: [], languages: ['en'], roomId: room.id,
    startsAt: new Date(Date.parse(fair.startsAt) + 30 * 60_000).toISOString(), endsAt: new Date(Date.parse(fair.startsAt) + 90 * 60_000).toISOString(),
  })
  t.equal(busy.statusCode, 409)
  t.equal(busy.json().code, 'room_busy')
  const tooMany = await inject('POST', `/v1/events/${fair.id}/sessions`, organizer.auth, {
    title: 'Big', kind: 'talk', topics: [], languages: ['en'], roomId: room.id, seats: 26,
    startsAt: new Date(Date.parse(fair.startsAt) + 300 * 60_000).toISOString(), endsAt: new Date(Date.parse(fair.startsAt) + 320 * 60_000).toISOString(),
  })
  t.equal(tooMany.statusCode, 400)
  t.same(tooMany.json().errors.map((e: any) => e.path), ['/body/seats'])
  const outside = await inject('POST', `/v1/events/${fair.id}/sessions`, organizer.auth, {
    title: 'Late', kind: 'talk', topics: ['nope'], languages: ['en'], roomId: room.id,
    startsAt: new Date(Date.parse(fair.endsAt) - 10 * 60_000).toISOString(), endsAt: new Date(Date.parse(fair.endsAt) + 10 * 60_000).toISOString(),
  })
  t.equal(outside.statusCode, 400)
  t.same(outside.json().errors.map((e: any) => e.path).sort(), ['/body/endsAt', '/body/topics/0'])
  const cancelledFree = await inject('POST', `/v1/sessions/${s.id}/cancel`, organizer.auth)
  t.equal(cancelledFree.json().status, 'cancelled')
  t.equal((await inject('POST', `/v1/sessions/${s.id}/publish`, organizer.auth)).json().code, 'invalid_transition')
  const reuse = await p.session(room, {}, { publish: false })
  t.ok(reuse.id, 'a cancelled session frees its time in the room')
})

t.test('list: filters, day in the time zone, keyset pages; program.ics', async (t) => {
  const room = await p.room({ capacity: 10 })
  const other = await p.room({ capacity: 10 })
  const a = await p.session(room, { kind: 'workshop', topics: ['education'], languages: ['tr', 'de'] }, { offsetMinutes: 120, minutes: 30 })
  const b = await p.session(other, { kind: 'talk', topics: ['culture'], languages: ['ar'] }, { offsetMinutes: 120, minutes: 30 })
  const draft = await p.session(room, {}, { publish: false, offsetMinutes: 200, minutes: 10 })
  const ids = (page: any) => page.items.map((s: any) => s.id)
  const pub = must(await inject('GET', `/v1/events/${fair.id}/sessions?limit=200`), 200)
  t.notOk(ids(pub).includes(draft.id), 'no drafts for the public')
  t.ok(ids(must(await inject('GET', `/v1/events/${fair.id}/sessions?limit=200`, organizer.auth), 200)).includes(draft.id), 'drafts for organizers')
  t.same(ids(must(await inject('GET', `/v1/events/${fair.id}/sessions?topic=education`), 200)), [a.id])
  t.same(ids(must(await inject('GET', `/v1/events/${fair.id}/sessions?language=ar`), 200)), [b.id])
  t.same(ids(must(await inject('GET', `/v1/events/${fair.id}/sessions?kind=workshop`), 200)), [a.id])
  t.same(ids(must(await inject('GET', `/v1/events/${fair.id}/sessions?roomId=${other.id}`), 200)), [b.id])
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: fair.timezone }).format(new Date(a.startsAt))
  t.ok(ids(must(await inject('GET', `/v1/events/${fair.id}/sessions?day=${day}&limit=200`), 200)).includes(a.id), 'the local day')
  t.same(ids(must(await inject('GET', `/v1/events/${fair.id}/sessions?day=2001-01-01`), 200)), [])
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: any = must(await inject('GET', `/v1/events/${fair.id}/sessions?limit=1${cursor ? `&cursor=${cursor}` : ''}`), 200)
    seen.push(...ids(page))
    cursor = page.nextCursor
  } while (cursor)
  t.same(seen, ids(pub), 'pages of one give the whole list in order')
  const ics = await inject('GET', `/v1/events/${fair.id}/program.ics`)
  t.equal(ics.statusCode, 200)
  t.match(ics.headers['content-type'], /text\/calendar/)
  t.equal((ics.body.match(/BEGIN:VEVENT/g) ?? []).length, pub.items.filter((s: any) => s.status === 'published').length, 'one VEVENT per published session')
  t.match(ics.body, `UID:session-${a.id}@vereinsmesse`)
})

t.test('hosts and patch: a move emails holders and keeps reservation times in step', async (t) => {
  const room = await p.room({ capacity: 10 })
  const s = await p.session(room, {}, { offsetMinutes: 240, minutes: 30 })
  const reg = await p.register(fair.id, 2)
  must(await p.reserve(reg, s.id), 201)
  const moved = must(
    await inject('PATCH', `/v1/sessions/${s.id}`, organizer.auth, {
      startsAt: new Date(Date.parse(s.startsAt) + 60 * 60_000).toISOString(),
      endsAt: new Date(Date.parse(s.endsAt) + 60 * 60_000).toISOString(),
    }),
    200,
  )
  t.equal(moved.seatsLeft, 8)
  t.equal((await p.emails(reg.email, 'changed')).length, 1, 'the holder is told')
  const mine = must(await inject('GET', `/v1/registrations/${reg.id}/sessions`, bearer(reg.manageToken)), 200)
  t.equal(mine.items[0].session.startsAt, moved.startsAt)
  const below = await inject('PATCH', `/v1/sessions/${s.id}`, organizer.auth, { seats: 1 })
  t.equal(below.json().code, 'capacity_below_confirmed')
  const badHost = await inject('PATCH', `/v1/sessions/${s.id}`, organizer.auth, { hostAssociationIds: ['00000000-0000-4000-8000-000000000000'] })
  t.equal(badHost.statusCode, 400)
})
