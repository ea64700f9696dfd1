import t from 'tap'
import { CORPUS_GROUPS, runCorpus } from '../helpers/bad-input.js'

// The bad-input corpus for these routes (see test/helpers/bad-input.ts). Rerun with another seed:
// BAD_INPUT_SEED=123 npx tap test/hardening/bad-input-meetings.test.ts
t.test('every invalid request is a quick 4xx problem+json that changes nothing', async (t) => {
  await runCorpus(t, CORPUS_GROUPS['meetings'])
})
