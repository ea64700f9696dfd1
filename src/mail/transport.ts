import fs from 'node:fs/promises'
import path from 'node:path'
import nodemailer from 'nodemailer'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'

export interface OutgoingEmail {
  from: string
  to: string
  subject: string
  html: string
  text: string
  messageId: string
  headers?: Record<string, string>
  /** in nodemailer's format; one with a `cid` is inline (multipart/related), shown by `<img src="cid:…">` */
  attachments?: EmailAttachment[]
}

export interface EmailAttachment {
  filename: string
  content: Buffer | string
  contentType: string
  cid?: string
  /** 'base64' keeps a text file byte for byte (an .ics needs its CRLF line ends) */
  contentTransferEncoding?: 'base64' | 'quoted-printable' | '7bit'
}

export interface MailTransport {
  kind: 'smtp' | 'file'
  /** resolves with the server's answer (or the file written); rejects with the SMTP error */
  send(email: OutgoingEmail): Promise<string>
  close(): void
}

/** SMTP_URL → pooled SMTP; unset → .eml files under DATA_DIR/outbox, so `npm start` shows every email without a mail server. */
export function createTransport(config: Pick<Config, 'smtpUrl' | 'dataDir' | 'publicUrl'>, log: FastifyBaseLogger): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'outbox'), config.publicUrl, log)
}

function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 5,
    maxMessages: 1000,
    // A server that does not answer must fail the attempt quickly; the row is retried later.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as Parameters<typeof nodemailer.createTransport>[0])
  return {
    kind: 'smtp',
    async send(email) {
      const info = await transporter.sendMail(email)
      return String(info.response ?? info.messageId)
    },
    close: () => transporter.close(),
  }
}

function fileTransport(dir: string, publicUrl: string, log: FastifyBaseLogger): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  const links = new RegExp(`${publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^\\s"<>]+`, 'g')
  return {
    kind: 'file',
    async send(email) {
      const info = await builder.sendMail(email)
      await fs.mkdir(dir, { recursive: true })
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${email.messageId.replace(/[<>@]/g, '').slice(0, 36)}.eml`
      const file = path.join(dir, name)
      // Written under a temporary name first, so a reader never sees half an email.
      await fs.writeFile(`${file}.tmp`, info.message as Buffer)
      await fs.rename(`${file}.tmp`, file)
      // The newcomer without a mail server follows login and manage links from the log.
      log.info({ file, subject: email.subject, links: [...new Set(email.text.match(links) ?? [])] }, 'email written')
      return `file:${file}`
    },
    close: () => builder.close(),
  }
}
