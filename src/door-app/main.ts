import { createCamera, qrDetector } from './camera.js'
import { createDoor, type Attendee, type Direction, type Door, type DoorState, type Verdict } from './door.js'
import { signal, unlockAudio } from './feedback.js'
import { LANGUAGE_NAMES, LANGUAGES, RIGHT_TO_LEFT, isLanguage, pickLanguage, translate, type Language, type MessageKey } from './i18n.js'
import { storage, type Pairing } from './storage.js'
import { readPairingFragment, type SnapshotSession } from './target.js'
import { listenForWedge } from './wedge.js'

// Performance marks the bench and the tests read (bench/door.bench.ts): code read → verdict painted, ready to scan,
// and the last sighting of any code (one mark, replaced: a code held in front of the camera is seen 8 times a second).
const READ = 'door:code-read'
const SEEN = 'door:seen'
const LANGUAGE_KEY = 'door-language'
// The same code again within this time is one person still holding up their phone, not a second scan.
const REPEAT_MS = 3000

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

let language: Language = pickLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages ?? [navigator.language])
let door: Door | undefined
let direction: Direction = 'entry'
let lastState: DoorState | undefined
let lastVerdict: Verdict | undefined
let verdictTimer: ReturnType<typeof setTimeout> | undefined
const lastSeen = new Map<string, number>()

const t = (key: MessageKey, values?: Record<string, string | number>) => translate(language, key, values)

function applyLanguage() {
  document.documentElement.lang = language
  document.documentElement.dir = RIGHT_TO_LEFT.has(language) ? 'rtl' : 'ltr'
  document.title = `${t('appTitle')} – Vereinsmesse`
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as MessageKey)
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel as MessageKey))
  for (const select of document.querySelectorAll<HTMLSelectElement>('select.language')) select.value = language
  if (lastState) renderState(lastState)
  if (lastVerdict && !$('verdict').hidden) renderVerdict(lastVerdict)
}

function setupLanguageChoice() {
  for (const select of document.querySelectorAll<HTMLSelectElement>('select.language')) {
    for (const code of Object.keys(LANGUAGES) as Language[]) {
      const option = document.createElement('option')
      option.value = code
      option.lang = code
      option.textContent = LANGUAGE_NAMES[code]
      select.append(option)
    }
    select.addEventListener('change', () => {
      if (!isLanguage(select.value)) return
      language = select.value
      localStorage.setItem(LANGUAGE_KEY, language)
      applyLanguage()
    })
  }
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' })

function renderState(state: DoorState) {
  lastState = state
  const header = $('paired').querySelector('header')!
  const offline = !state.online
  header.classList.toggle('offline', offline)
  const parts = [offline ? (state.snapshot ? t('offlineBanner', { time: clock(state.snapshot.checkedAt) }) : t('noSnapshotBanner')) : t('online')]
  if (state.pending > 0) parts.push(t('pending', { count: state.pending }))
  $('banner').textContent = parts.join(' · ')
  const counts = state.occupancy && { inside: state.occupancy.inside, capacity: state.occupancy.capacity }
  $('occupancy').textContent = counts ? t(state.session ? 'seats' : 'occupancy', counts) : ''
  renderPlace(state)
  $('conflicts').hidden = state.conflicts.length === 0
  $('conflict-list').replaceChildren(
    ...state.conflicts.map((c) => {
      const li = document.createElement('li')
      const server = c.serverStatus === 'ok' ? t('admitted') : c.serverReason && c.serverReason in LANGUAGES.de ? t(c.serverReason as MessageKey) : t('rejected')
      li.textContent = t('conflictItem', { name: c.holderName ?? t('unknownName'), local: t(c.localStatus === 'ok' ? 'admitted' : 'rejected'), server })
      return li
    }),
  )
}

const sessionLabel = (s: SnapshotSession) => `${s.title} · ${clock(s.startsAt)}–${clock(s.endsAt)}`

/** Where this phone scans: a bound room's session (or none now), or a choice between the fair's door and a session. */
function renderPlace(state: DoorState) {
  $('place').textContent = state.roomBound ? (state.session ? sessionLabel(state.session) : t('noSessionNow')) : ''
  $('place').hidden = !state.roomBound
  const sessions = (state.snapshot?.snapshot.sessions ?? []).filter((s) => s.status === 'published')
  const label = $('place-choice-label')
  label.hidden = state.roomBound || sessions.length === 0
  if (label.hidden) return
  const select = $('place-choice') as HTMLSelectElement
  const options = [{ value: '', text: t('eventDoor') }, ...sessions.map((s) => ({ value: s.id, text: sessionLabel(s) }))]
  select.replaceChildren(
    ...options.map(({ value, text }) => {
      const option = document.createElement('option')
      option.value = value
      option.textContent = text
      return option
    }),
  )
  select.value = state.session?.id ?? ''
}

const WARN_REASONS = new Set(['already_checked_in', 'not_checked_in'])

function reasonText(verdict: Verdict): string {
  const reason = verdict.reason ?? 'invalid_code'
  if (reason === 'already_checked_in' && verdict.previous) {
    return verdict.previous.gate ? t('alreadyAtGate', { time: clock(verdict.previous.at), gate: verdict.previous.gate }) : t('alreadyAt', { time: clock(verdict.previous.at) })
  }
  return reason in LANGUAGES.de ? t(reason as MessageKey) : t('invalid_code')
}

function renderVerdict(verdict: Verdict) {
  lastVerdict = verdict
  const box = $('verdict')
  const kind = verdict.status === 'ok' ? 'ok' : WARN_REASONS.has(verdict.reason ?? '') ? 'warn' : 'rejected'
  box.className = kind
  box.dataset.status = verdict.status
  box.dataset.reason = verdict.reason ?? ''
  const ticket = verdict.ticket
  const name = ticket ? (ticket.holderName ?? t('unknownName')) : ''
  if (verdict.status === 'ok') {
    $('verdict-title').textContent = verdict.direction === 'entry' ? t('welcome') : t('goodbye')
    $('verdict-name').textContent = name
    const people = ticket && ticket.admits > 1 ? t('persons', { count: ticket.admits }) : t('person')
    $('verdict-detail').textContent = [people, ticket?.associationName].filter(Boolean).join(' · ')
  } else {
    $('verdict-title').textContent = reasonText(verdict)
    $('verdict-name').textContent = name
    $('verdict-detail').textContent = ticket?.associationName ?? ''
  }
  $('verdict-offline').textContent = verdict.offline ? t('offlinePending') : ''
  box.hidden = false
  return kind
}

function showVerdict(verdict: Verdict) {
  const kind = renderVerdict(verdict)
  signal(kind === 'ok' ? 'ok' : kind === 'warn' ? 'warn' : 'rejected')
  clearTimeout(verdictTimer)
  // Long enough to read a name; a rejection stays until it is read and waved away, or the next scan.
  verdictTimer = setTimeout(hideVerdict, kind === 'ok' ? 2500 : 6000)
  // Painted once the next frame is drawn: that is what "the verdict fills the screen" means.
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (performance.getEntriesByName(READ, 'mark').length) performance.measure('door:verdict', READ)
    }),
  )
}

function hideVerdict() {
  clearTimeout(verdictTimer)
  $('verdict').hidden = true
}

async function submitScan(request: { code?: string; ticketId?: string }) {
  if (!door) return
  const verdict = await door.scan({ ...request, direction })
  if (verdict) showVerdict(verdict)
}

/** Camera, wedge and typed codes all come here; the same code within REPEAT_MS of its last sighting is dropped. */
function onCode(raw: string) {
  const code = raw.trim()
  if (!code || !door) return
  performance.clearMarks(SEEN)
  performance.mark(SEEN)
  const now = performance.now()
  const seen = lastSeen.get(code)
  lastSeen.set(code, now)
  if (seen !== undefined && now - seen < REPEAT_MS) return
  for (const [other, at] of lastSeen) if (now - at > REPEAT_MS) lastSeen.delete(other)
  performance.clearMarks(READ)
  performance.mark(READ)
  void submitScan({ code })
}

function setDirection(next: Direction) {
  direction = next
  $('entry').setAttribute('aria-pressed', String(next === 'entry'))
  $('exit').setAttribute('aria-pressed', String(next === 'exit'))
}

function renderResults(items: Attendee[] | null) {
  const list = $('results')
  if (items === null) return list.replaceChildren()
  if (items.length === 0) {
    const li = document.createElement('li')
    li.textContent = t('noResults')
    return list.replaceChildren(li)
  }
  list.replaceChildren(
    ...items.map((person) => {
      const li = document.createElement('li')
      const label = document.createElement('span')
      const details = [person.admits > 1 ? t('persons', { count: person.admits }) : t('person'), person.associationName, person.checkedIn ? t('alreadyInside') : null]
      label.textContent = `${person.name} (${details.filter(Boolean).join(', ')})`
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = direction === 'entry' ? t('admit') : t('letOut')
      button.setAttribute('aria-label', `${button.textContent}: ${person.name}`)
      button.addEventListener('click', () => {
        performance.clearMarks(READ)
        performance.mark(READ)
        void submitScan({ ticketId: person.ticketId })
        renderResults(null)
        ;($('search') as HTMLInputElement).value = ''
      })
      li.append(label, button)
      return li
    }),
  )
}

function showUnpaired(notice?: MessageKey) {
  door?.stop()
  door = undefined
  hideVerdict()
  $('paired').hidden = true
  $('unpaired').hidden = false
  const p = $('notice')
  p.hidden = !notice
  p.textContent = notice ? t(notice) : ''
  if (notice) p.dataset.i18n = notice
  else delete p.dataset.i18n
}

async function startCamera() {
  const status = $('camera-status')
  status.textContent = t('cameraStarting')
  const camera = createCamera($('video') as HTMLVideoElement, { onCode })
  try {
    // The decoder loads while the camera starts; ready to scan means both.
    const decoder = qrDetector()
    await camera.start()
    await decoder
    status.textContent = ''
    $('switch-camera').hidden = !camera.canSwitch()
    $('torch').hidden = !camera.hasTorch()
    $('switch-camera').onclick = () => void camera.switchCamera().then(() => ($('torch').hidden = !camera.hasTorch()))
    $('torch').onclick = () => void camera.toggleTorch().then((on) => $('torch').setAttribute('aria-pressed', String(on)))
  } catch {
    $('video').hidden = true
    status.dataset.i18n = 'cameraUnavailable'
    status.textContent = t('cameraUnavailable')
  }
  return camera
}

async function showPaired(pairing: Pairing) {
  $('unpaired').hidden = true
  $('paired').hidden = false
  door = createDoor(pairing, {
    onChange: renderState,
    onRevoked: () => {
      camera?.stop()
      showUnpaired('revokedNotice')
    },
  })
  await door.start()
  const camera = await startCamera()
  $('unpair').onclick = async () => {
    if (!confirm(t('unpairConfirm'))) return
    camera.stop()
    door?.stop()
    await storage.wipe()
    showUnpaired('unpairedNotice')
  }
  performance.mark('door:ready')
}

async function main() {
  setupLanguageChoice()
  applyLanguage()
  document.addEventListener('pointerdown', unlockAudio, { passive: true })
  document.addEventListener('keydown', unlockAudio)
  listenForWedge(onCode)
  $('entry').addEventListener('click', () => setDirection('entry'))
  $('exit').addEventListener('click', () => setDirection('exit'))
  $('verdict-next').addEventListener('click', hideVerdict)
  $('clear-conflicts').addEventListener('click', () => void door?.clearConflicts())
  $('place-choice').addEventListener('change', () => door?.choose(($('place-choice') as HTMLSelectElement).value || null))
  $('code-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const input = $('code') as HTMLInputElement
    onCode(input.value)
    input.value = ''
  })
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const q = ($('search') as HTMLInputElement).value.trim()
    // A hand scanner that fired while the search field had focus typed a ticket code there.
    if (/^VM1[A-Za-z0-9_-]{115}$/.test(q)) {
      ;($('search') as HTMLInputElement).value = ''
      return onCode(q)
    }
    if (q.length >= 2 && door) void door.search(q).then(renderResults)
  })

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/door/sw.js', { scope: '/door' }).catch(() => undefined)
  }

  // The token arrives in the fragment; it is stored and taken out of the address bar (and the history) at once.
  const fromLink = readPairingFragment(location.hash)
  if (location.hash) history.replaceState(null, '', location.pathname)
  let pairing = await storage.get<Pairing>('pairing')
  if (fromLink && (pairing?.token !== fromLink.token || JSON.stringify(pairing.target) !== JSON.stringify(fromLink.target))) {
    // Another event or scanner: nothing of the old one may stay.
    if (pairing) await storage.wipe()
    pairing = { ...fromLink, pairedAt: new Date().toISOString() }
    await storage.put('pairing', pairing)
    localStorage.setItem(LANGUAGE_KEY, language)
  }
  if (pairing) await showPaired(pairing)
  else showUnpaired()
}

void main()
