import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { AddressInfo } from 'node:net'

export interface SmtpSink {
  url: string
  port: number
  /** every message accepted, parsed */
  messages: ParsedMail[]
  /** resolves once at least n messages arrived (rejects after timeoutMs) */
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>
  /** stop accepting connections (an SMTP outage); start() again on the same port */
  stop(): Promise<void>
  start(): Promise<void>
  /** answer the next RCPT with a permanent 550 for this address */
  rejectRecipient(address: string): void
}

/** A real SMTP server in-process: the worker talks SMTP to it, and tests read what arrived, parsed by mailparser. */
export async function startSmtpSink(port = 0, options: { delayMs?: number } = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = []
  const rejected = new Set<string>()
  const waiters: (() => void)[] = []
  let server: SMTPServer
  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // stop() must not wait 30 s for the worker's pooled connections to hang up
      closeTimeout: 100,
      onRcptTo(address, _session, callback) {
        if (rejected.has(address.address)) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }))
        callback()
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then(async (mail) => {
            // a slow server keeps a worker mid-batch long enough to be killed there
            if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs))
            messages.push(mail)
            waiters.forEach((w) => w())
            callback()
          })
          .catch(callback)
      },
    })
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = create()
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
  await listen()
  port = (server!.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor(n, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= n) {
            clearTimeout(timer)
            resolve(messages)
          }
        }
        const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${n} emails arrived`)), timeoutMs)
        waiters.push(check)
        check()
      })
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    start: listen,
    rejectRecipient: (address) => rejected.add(address),
  }
}
