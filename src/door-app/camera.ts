import { BarcodeDetector, prepareZXingModule } from 'barcode-detector/ponyfill'

declare const DOOR_WASM_URL: string

/** What the scanner reports: a code read, and whether the camera could be started at all. */
export interface CameraHooks {
  onCode(code: string): void
}

interface TorchCapabilities extends MediaTrackCapabilities {
  torch?: boolean
}

type Detector = Pick<BarcodeDetector, 'detect'>

let detector: Promise<Detector> | undefined

/**
 * The browser's own BarcodeDetector where it reads QR codes (Android Chrome, Safari 17+), else the zxing-wasm
 * polyfill with its .wasm served by us: no request for the decoder ever leaves the service.
 */
export function qrDetector(): Promise<Detector> {
  detector ??= (async () => {
    const native = (globalThis as { BarcodeDetector?: typeof BarcodeDetector }).BarcodeDetector
    if (native && (await native.getSupportedFormats().catch((): string[] => [])).includes('qr_code')) return new native({ formats: ['qr_code'] })
    await prepareZXingModule({
      overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? DOOR_WASM_URL : prefix + path) },
      fireImmediately: true,
    })
    return new BarcodeDetector({ formats: ['qr_code'] })
  })()
  return detector
}

/** The camera feeding the detector: rear camera first, the next one on `switchCamera`, the torch where there is one. */
export function createCamera(video: HTMLVideoElement, hooks: CameraHooks) {
  let stream: MediaStream | undefined
  let devices: MediaDeviceInfo[] = []
  let deviceIndex = -1
  let running = false
  let torchOn = false
  let loop: ReturnType<typeof setTimeout> | undefined

  async function open(deviceId?: string) {
    close()
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    })
    video.srcObject = stream
    video.muted = true
    video.setAttribute('playsinline', '')
    await video.play()
    running = true
    void tick()
  }

  async function tick() {
    if (!running) return
    const started = performance.now()
    try {
      if (video.readyState >= 2) {
        const found = await (await qrDetector()).detect(video)
        for (const code of found) if (code.rawValue) hooks.onCode(code.rawValue)
      }
    } catch {
      // a frame the decoder could not take (the video resizing): the next one will do
    }
    // About 8 reads a second, less on a slow phone: the decoder's own time is the pause.
    if (running) loop = setTimeout(() => void tick(), Math.max(40, 120 - (performance.now() - started)))
  }

  function close() {
    running = false
    clearTimeout(loop)
    for (const track of stream?.getTracks() ?? []) track.stop()
    stream = undefined
    torchOn = false
  }

  return {
    async start() {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('no camera API')
      await open()
      devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput')
      const current = stream?.getVideoTracks()[0]?.getSettings().deviceId
      deviceIndex = devices.findIndex((d) => d.deviceId === current)
    },
    canSwitch: () => devices.length > 1,
    async switchCamera() {
      if (devices.length < 2) return
      deviceIndex = (deviceIndex + 1) % devices.length
      await open(devices[deviceIndex].deviceId)
    },
    hasTorch() {
      const track = stream?.getVideoTracks()[0]
      return Boolean(track && typeof track.getCapabilities === 'function' && (track.getCapabilities() as TorchCapabilities).torch)
    },
    async toggleTorch() {
      const track = stream?.getVideoTracks()[0]
      if (!track) return false
      torchOn = !torchOn
      await track.applyConstraints({ advanced: [{ torch: torchOn } as MediaTrackConstraintSet] })
      return torchOn
    },
    stop: close,
  }
}
