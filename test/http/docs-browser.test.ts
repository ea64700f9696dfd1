import t from 'tap'
import { chromium } from 'playwright-core'
import { build } from '../helpers/app.js'

// Flags from STACK.md: without them Chromium floods the closed network with refused connections; root needs --no-sandbox.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

t.test('/docs in a real browser: the guide, an operation with its problem codes and a recorded example', async (t) => {
  const { app } = await build(t)
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  const refused: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') refused.push(message.text())
  })

  await page.goto(`${baseUrl}/docs/`)
  const info = page.locator('.information-container')
  await info.getByText('Tokens', { exact: true }).waitFor({ timeout: 60_000 })
  t.match(await info.innerText(), /vmr_[\s\S]*Idempotency-Key[\s\S]*text\/csv/, 'the guide: tokens, idempotency, CSV')

  const operation = page.locator('#operations-registrations-createRegistration')
  await operation.locator('.opblock-summary').click()
  const body = operation.locator('.opblock-body')
  await body.getByText('already_registered', { exact: false }).first().waitFor({ timeout: 30_000 })
  const text = await body.innerText()
  t.match(text, /409[\s\S]*already_registered/, 'the 409 names its codes')
  t.match(text, /manageToken[\s\S]*vmr_/, 'the 201 shows the recorded example with its manage token')
  t.same(refused, [], 'no console errors (CSP refusals included)')
})
