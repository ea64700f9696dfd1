import { LRUCache } from 'lru-cache'
import QRCode from 'qrcode'

// Error correction M survives a scratched or badly lit screen; the code is short enough that the QR stays
// small (version 7 for 118 characters), which cheap phone cameras read at arm's length.
const options = { errorCorrectionLevel: 'M' as const, margin: 2 }

/** About 4 ms each: render on request or in the worker, never inside a transaction. */
export function ticketQrPng(code: string, width = 360): Promise<Buffer> {
  return QRCode.toBuffer(code, { ...options, type: 'png', width })
}

export function ticketQrSvg(code: string): Promise<string> {
  return QRCode.toString(code, { ...options, type: 'svg' })
}

export type QrFormat = 'png' | 'svg'

/**
 * Rendering a PNG costs about 4 ms of CPU: a small per-process memory of recent images (the holder opens the
 * ticket page several times, the door desk reprints) and one render for concurrent requests of the same image.
 * The promise is kept, not the image, so a request arriving while the first one renders waits for that render.
 */
const recent = new LRUCache<string, Promise<Buffer | string>>({ max: 256 })

export function renderTicketQr(code: string, format: 'png'): Promise<Buffer>
export function renderTicketQr(code: string, format: 'svg'): Promise<string>
export function renderTicketQr(code: string, format: QrFormat): Promise<Buffer | string>
export function renderTicketQr(code: string, format: QrFormat): Promise<Buffer | string> {
  const key = `${format}\0${code}`
  const hit = recent.get(key)
  if (hit) return hit
  const rendering: Promise<Buffer | string> = format === 'png' ? ticketQrPng(code) : ticketQrSvg(code)
  recent.set(key, rendering)
  // A failed render is not remembered: the next request tries again.
  rendering.catch(() => recent.delete(key))
  return rendering
}
