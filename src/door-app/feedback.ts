/** A sound and a vibration that differ for ok and rejected, so staff need not look at the screen to know. */
let audio: AudioContext | undefined

/** Browsers start audio only after a gesture: the first tap or key unlocks it. */
export function unlockAudio() {
  const Context = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (!Context) return
  audio ??= new Context()
  if (audio.state === 'suspended') void audio.resume()
}

function tone(frequency: number, startsIn: number, seconds: number, type: OscillatorType) {
  if (!audio || audio.state !== 'running') return
  const oscillator = audio.createOscillator()
  const gain = audio.createGain()
  oscillator.type = type
  oscillator.frequency.value = frequency
  const at = audio.currentTime + startsIn
  gain.gain.setValueAtTime(0.25, at)
  gain.gain.exponentialRampToValueAtTime(0.001, at + seconds)
  oscillator.connect(gain).connect(audio.destination)
  oscillator.start(at)
  oscillator.stop(at + seconds)
}

export function signal(kind: 'ok' | 'warn' | 'rejected') {
  if (kind === 'ok') {
    tone(880, 0, 0.12, 'sine')
    tone(1320, 0.13, 0.15, 'sine')
  } else {
    tone(kind === 'warn' ? 330 : 200, 0, 0.45, 'square')
  }
  // Before the first tap the browser refuses (and complains): a phone put down scanning by camera stays silent.
  const activated = (navigator as { userActivation?: { hasBeenActive: boolean } }).userActivation?.hasBeenActive ?? true
  if (activated) navigator.vibrate?.(kind === 'ok' ? 60 : [220, 90, 220])
}
