import fs from 'node:fs'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'

export const OPENAPI_PATH = new URL('../../openapi/openapi.json', import.meta.url)

/** The document as the app generates it; nothing in it depends on configuration or data. */
export async function generateOpenapi(): Promise<string> {
  const database = await openDatabase({})
  try {
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db: database.db })
    await app.ready()
    const document = JSON.stringify(app.swagger(), null, 2) + '\n'
    await app.close()
    return document
  } finally {
    await database.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.mkdirSync(new URL('.', OPENAPI_PATH), { recursive: true })
  fs.writeFileSync(OPENAPI_PATH, await generateOpenapi())
  process.stdout.write(`wrote ${OPENAPI_PATH.pathname}\n`)
}
