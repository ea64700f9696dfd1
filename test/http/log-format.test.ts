import t from 'tap'
import { logFormat, prettyDestination, prettyLine } from '../../src/http/log-format.js'

// 2026-12-03 14:03:07.412 in the test's local time zone, whatever it is.
const at = new Date(2026, 11, 3, 14, 3, 7, 412).getTime()

t.test('a JSON line becomes time, level, message and the fields as key=value', async (t) => {
  const line = JSON.stringify({ level: 30, time: at, pid: 7, hostname: 'vm', role: 'all', readyMs: 812, msg: 'vereinsmesse ready' })
  t.equal(prettyLine(line), '14:03:07.412 INFO  vereinsmesse ready role=all readyMs=812')
  t.equal(
    prettyLine(JSON.stringify({ level: 40, time: at, reqId: 'r1', route: '/v1/events/:id', note: 'two words', ids: [1, 2] })),
    '14:03:07.412 WARN  reqId=r1 route=/v1/events/:id note="two words" ids=[1,2]',
    'values with blanks are quoted, arrays and objects written as JSON',
  )
})

t.test('an error keeps its fields on the line and its stack indented below', async (t) => {
  const err = { type: 'Error', message: 'boom', code: 'E1', stack: 'Error: boom\n    at main (server.js:1:1)' }
  t.equal(
    prettyLine(JSON.stringify({ level: 50, time: at, err, msg: 'shutting down after an error' })),
    [
      '14:03:07.412 ERROR shutting down after an error err={"type":"Error","message":"boom","code":"E1"}',
      '    Error: boom',
      '        at main (server.js:1:1)',
    ].join('\n'),
  )
})

t.test('what is not a JSON object passes unchanged', async (t) => {
  for (const line of ['  ┌─ First start: an admin account was created', '[1,2]', '"text"', '{broken']) t.equal(prettyLine(line), line)
})

t.test('colour only for a terminal that has colours: the level alone', async (t) => {
  const written: string[] = []
  const terminal = { write: (text: string) => written.push(text), hasColors: () => true }
  prettyDestination(terminal).write(JSON.stringify({ level: 40, time: at, msg: 'slow' }) + '\n')
  t.same(written, ['14:03:07.412 \x1b[33mWARN \x1b[39m slow\n'])
  const plain: string[] = []
  prettyDestination({ write: (text: string) => plain.push(text) }).write(JSON.stringify({ level: 30, time: at, msg: 'a' }) + '\n')
  t.same(plain, ['14:03:07.412 INFO  a\n'])
})

t.test('LOG_FORMAT decides; unset, a terminal gets pretty lines and anything else JSON', async (t) => {
  t.equal(logFormat(undefined, true), 'pretty')
  t.equal(logFormat(undefined, false), 'json')
  t.equal(logFormat('json', true), 'json')
  t.equal(logFormat('pretty', false), 'pretty')
})
