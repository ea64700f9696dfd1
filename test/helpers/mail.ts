import { emailAttachments } from '../../src/features/email/attachments.js'
import type { WorkerOptions } from '../../src/mail/worker.js'

/** The outbox worker's options as server.ts gives them (the features' attachments), for tests that drain the outbox. */
export function workerOptions(options: Omit<WorkerOptions, 'attachments' | 'pollMs'> & Partial<WorkerOptions>): WorkerOptions {
  return { pollMs: 1000, attachments: emailAttachments, ...options }
}
