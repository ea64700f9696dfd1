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
