/*
 * An event's meeting settings and the slots they give (pure). The slots are the windows cut into `slotMinutes`
 * pieces from each window's start; a shorter rest is dropped.
 */
import type { MeetingSettings } from '../../db/schema.js'
import type { FieldIssue } from '../../http/problem.js'

export interface Slot {
  startsAt: Date
  endsAt: Date
}

/** Rules the schema cannot say: windows lie within the event, each ends after it starts, none overlap. */
export function meetingSettingsIssues(settings: MeetingSettings, event: { startsAt: Date; endsAt: Date }): FieldIssue[] {
  const issues: FieldIssue[] = []
  const windows = settings.windows.map((w, i) => ({ i, start: Date.parse(w.startsAt), end: Date.parse(w.endsAt) }))
  for (const w of windows) {
    const path = `/body/meetings/windows/${w.i}`
    if (Number.isNaN(w.start) || Number.isNaN(w.end)) issues.push({ path, message: 'is not a valid time range' })
    else if (w.end <= w.start) issues.push({ path: `${path}/endsAt`, message: 'must be after startsAt' })
    else if (w.start < event.startsAt.getTime() || w.end > event.endsAt.getTime()) issues.push({ path, message: 'must lie within the event' })
  }
  const sorted = windows.filter((w) => w.end > w.start).sort((a, b) => a.start - b.start)
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k].start < sorted[k - 1].end) issues.push({ path: `/body/meetings/windows/${sorted[k].i}`, message: `overlaps window ${sorted[k - 1].i}` })
  }
  return issues
}

/** Every slot of the settings, by time. */
export function meetingSlots(settings: Pick<MeetingSettings, 'slotMinutes' | 'windows'>): Slot[] {
  const length = settings.slotMinutes * 60_000
  const slots: Slot[] = []
  for (const w of settings.windows) {
    const end = Date.parse(w.endsAt)
    for (let start = Date.parse(w.startsAt); start + length <= end; start += length) {
      slots.push({ startsAt: new Date(start), endsAt: new Date(start + length) })
    }
  }
  return slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
}

/** The slot starting at `at`, if `at` is a slot start. */
export function slotAt(settings: Pick<MeetingSettings, 'slotMinutes' | 'windows'>, at: Date | string): Slot | undefined {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime()
  return meetingSlots(settings).find((s) => s.startsAt.getTime() === ms)
}

/** Requests, accepts and reschedules end when the last window ends. */
export function meetingsOpen(settings: MeetingSettings, now = new Date()): boolean {
  if (!settings.enabled) return false
  const last = Math.max(...settings.windows.map((w) => Date.parse(w.endsAt)), -Infinity)
  return now.getTime() < last
}

/** Table codes T1…Tn. */
export const tableCodes = (tables: number) => Array.from({ length: tables }, (_, i) => `T${i + 1}`)
