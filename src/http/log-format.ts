import type { LogDestination } from './logging.js'

/**
 * Log lines for a person at a terminal: `14:03:07.412 INFO  vereinsmesse ready role=all readyMs=812`, an error's
 * stack indented below its line. Machines get pino's JSON lines (LOG_FORMAT=json, the default when stdout is not
 * a terminal). Formatted in the process, synchronously: pino-pretty as a transport is a worker thread and a dozen
 * packages for what this file does, and a line must not get lost when the process exits right after it.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
// ANSI colours per level, used only when the destination is a terminal that has them.
const COLOURS: Record<number, number> = { 10: 90, 20: 36, 30: 32, 40: 33, 50: 31, 60: 35 }
// Shown in the line's head, or constant for the process: not repeated as fields.
const HEAD = new Set(['level', 'time', 'pid', 'hostname', 'msg'])

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

function clock(epochMs: unknown): string {
  const at = new Date(typeof epochMs === 'number' ? epochMs : Date.now())
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)
}

/** One pino JSON line as a readable line; anything that is not a JSON object is passed through unchanged. */
export function prettyLine(line: string, colours = false): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return line
  const level = Number(entry.level)
  const name = (LEVELS[level] ?? String(entry.level)).padEnd(5)
  const head = `${clock(entry.time)} ${colours && COLOURS[level] ? `\x1b[${COLOURS[level]}m${name}\x1b[39m` : name}`
  const fields: string[] = []
  const stacks: string[] = []
  for (const [key, v] of Object.entries(entry)) {
    if (HEAD.has(key)) continue
    const stack = typeof v === 'object' && v !== null ? (v as { stack?: unknown }).stack : undefined
    if (typeof stack === 'string') {
      const { stack: _stack, ...rest } = v as Record<string, unknown>
      fields.push(`${key}=${value(rest)}`)
      stacks.push(stack.replace(/^/gm, '    '))
    } else fields.push(`${key}=${value(v)}`)
  }
  const message = typeof entry.msg === 'string' ? ` ${entry.msg}` : ''
  return [`${head}${message}${fields.length ? ` ${fields.join(' ')}` : ''}`, ...stacks].join('\n')
}

/** A pino destination writing `prettyLine`s to `out` (stdout by default), in colour when it is a colour terminal. */
export function prettyDestination(
  out: { write(text: string): unknown; hasColors?: () => boolean } = process.stdout,
): LogDestination {
  const colours = typeof out.hasColors === 'function' && out.hasColors()
  return {
    write(chunk: string) {
      const lines = chunk.split('\n').filter((line) => line !== '')
      out.write(lines.map((line) => prettyLine(line, colours)).join('\n') + '\n')
    },
  }
}

/** LOG_FORMAT, or when it is unset: pretty for a person at a terminal, JSON for everything else. */
export function logFormat(configured: 'pretty' | 'json' | undefined, stdoutIsTerminal = process.stdout.isTTY === true): 'pretty' | 'json' {
  return configured ?? (stdoutIsTerminal ? 'pretty' : 'json')
}
