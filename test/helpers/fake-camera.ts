import { writeFile } from 'node:fs/promises'
import QRCode from 'qrcode'

/**
 * A video file for Chromium's fake camera (`--use-file-for-fake-video-capture`): raw YUV4MPEG2, 4:2:0, `frames`
 * identical frames of a white picture with the QR code of `text` drawn large in the middle. Chromium loops it.
 */
export async function writeQrVideo(file: string, text: string, { width = 640, height = 480, frames = 5 } = {}) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = qr.modules.size
  const quiet = 4
  const scale = Math.floor(Math.min(width, height) / (size + 2 * quiet))
  const left = Math.floor((width - size * scale) / 2)
  const top = Math.floor((height - size * scale) / 2)
  const luma = Buffer.alloc(width * height, 235)
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!qr.modules.get(row, col)) continue
      for (let y = 0; y < scale; y++) luma.fill(16, (top + row * scale + y) * width + left + col * scale, (top + row * scale + y) * width + left + (col + 1) * scale)
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma])
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)
  await writeFile(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]))
}
