/**
 * npm's postinstall: applies patches/ to node_modules with patch-package. patch-package is a development tool
 * (a production install must not carry it), so an install without dev dependencies cannot apply a patch: it
 * checks that every patch is applied already (a tree installed in full, built, then `npm prune --omit=dev`) and
 * otherwise stops the install. An unpatched postgres.js crashes the service when PostgreSQL restarts.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
let patchPackage
try {
  patchPackage = createRequire(import.meta.url).resolve('patch-package/index.js')
} catch {
  // not installed: --omit=dev
}
if (patchPackage) {
  const run = spawnSync(process.execPath, [patchPackage], { cwd: root, stdio: 'inherit' })
  process.exit(run.status ?? 1)
}

/** Files of a patch whose added lines are not all in the installed file. */
function unapplied(patchFile) {
  const missing = []
  let target
  let added = []
  const check = () => {
    if (!target) return
    const text = fs.existsSync(path.join(root, target)) ? fs.readFileSync(path.join(root, target), 'utf8') : ''
    if (!added.every((line) => text.includes(line))) missing.push(target)
  }
  for (const line of fs.readFileSync(patchFile, 'utf8').split('\n')) {
    if (line.startsWith('+++ ')) {
      check()
      target = line.slice(4).replace(/^b\//, '')
      added = []
    } else if (line.startsWith('+') && line.slice(1).trim() !== '') added.push(line.slice(1))
  }
  check()
  return missing
}

const patchesDir = path.join(root, 'patches')
const missing = fs.existsSync(patchesDir)
  ? fs.readdirSync(patchesDir).filter((f) => f.endsWith('.patch')).flatMap((f) => unapplied(path.join(patchesDir, f)))
  : []
if (missing.length > 0) {
  process.stderr.write(
    `vereinsmesse: ${missing.join(', ')} lack the fixes in patches/, and patch-package (a dev dependency) is not installed.\n` +
      'Install in full (npm ci), then drop the development tools with npm prune --omit=dev (docs/operations.md).\n',
  )
  process.exit(1)
}
