import t from 'tap'
import { findBadText } from '../../src/http/text-guard.js'

// The path of the first NUL or lone surrogate, as JSON pointer (RFC 6901: ~ as ~0, / as ~1), or null.

t.test('clean values of any shape pass', async (t) => {
  t.equal(findBadText({ a: 'x', b: [1, 'y', { c: 'ü😀' }], d: null, e: true }, '/body'), null)
  t.equal(findBadText('plain', '/body'), null)
  t.equal(findBadText(undefined, '/body'), null)
  t.equal(findBadText([], '/querystring'), null)
})

t.test('the path of the bad string, however deep', async (t) => {
  t.equal(findBadText('a\u0000', '/body'), '/body', 'the value itself')
  t.equal(findBadText({ name: 'a\u0000b' }, '/body'), '/body/name')
  t.equal(findBadText({ scans: [{ code: 'ok' }, { code: 'x\ud800' }] }, '/body'), '/body/scans/1/code', 'a lone high surrogate in an array')
  t.equal(findBadText({ labels: { de: 'x\udc00' } }, '/body'), '/body/labels/de', 'a lone low surrogate')
  t.equal(findBadText({ 'a/b': { 'c~d': '\u0000' } }, '/body'), '/body/a~1b/c~0d', 'keys escaped as JSON pointer')
  t.equal(findBadText({ q: 'a\u0000' }, '/querystring'), '/querystring/q')
})

t.test('a bad key is reported at the object that holds it', async (t) => {
  t.equal(findBadText({ outer: { 'k\u0000': 'v' } }, '/body'), '/body/outer')
  t.equal(findBadText({ 'k\ud800': 1 }, '/body'), '/body')
})

t.test('a paired surrogate is a character, not an error', async (t) => {
  t.equal(findBadText({ emoji: '\ud83d\ude00' }, '/body'), null)
})
