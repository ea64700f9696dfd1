import { existsSync, readFileSync } from 'node:fs'
import mustache from 'mustache'
import {
  DEFAULT_LOCALE,
  EMAIL_DATA,
  INLINE_IMAGES,
  LOCALES,
  TEMPLATE_NAMES,
  isTemplateName,
  normaliseLocale,
  passQrCid,
  renderProblems,
  type EmailData,
  type Locale,
  type TemplateName,
} from './templates.js'

export interface RenderedEmail {
  subject: string
  html: string
  text: string
  /** the language actually used: German when the requested one is unknown or not translated */
  locale: Locale
}

/**
 * Why an email cannot be rendered. `kind: 'data'`: this email's data is wrong, and retrying will not help.
 * `kind: 'templates'`: the template files of this deployment are broken, so every email fails alike.
 */
export class EmailRenderError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
    readonly kind: 'data' | 'templates' = 'data',
  ) {
    super(message)
    this.name = 'EmailRenderError'
  }
}

export const TEMPLATES_DIR = new URL('../../templates/', import.meta.url)
export const LAYOUT_FILE = '_layout.html'

// en-GB rather than en-US: 24-hour times and day-month order, as the fair's English readers in Germany
// expect. Arabic with Latin digits, so dates match the stand codes, addresses and URLs beside them.
const INTL_LOCALE: Record<Locale, string> = { de: 'de-DE', en: 'en-GB', tr: 'tr-TR', ar: 'ar-u-nu-latn' }

const DAY: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long' }
const DAY_AND_TIME: Intl.DateTimeFormatOptions = { ...DAY, year: 'numeric', hour: '2-digit', minute: '2-digit' }

function dateFormat(locale: Locale, timeZone: string, options: Intl.DateTimeFormatOptions) {
  const format = new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...options, timeZone })
  // ICU puts thin and narrow no-break spaces into dates and ranges; fonts in older mail clients lack them.
  const plainSpaces = (text: string) => text.replace(/\u2009/g, ' ').replace(/\u202F/g, '\u00A0')
  return {
    format: (date: Date) => plainSpaces(format.format(date)),
    formatRange: (start: Date, end: Date) => plainSpaces(format.formatRange(start, end)),
  }
}

/** "Samstag, 20. März 2027, 10:00–17:00 Uhr" in the fair's time zone; both dates in full when the range spans days. */
const timeRangeText = (locale: Locale, timeZone: string, startsAt: string, endsAt: string) =>
  dateFormat(locale, timeZone, DAY_AND_TIME).formatRange(new Date(startsAt), new Date(endsAt))

/** Variables every template and the layout may use. */
const COMMON_VARIABLES = ['lang', 'dir', 'align'] as const

type Derivations = { [T in TemplateName]: Record<string, (data: EmailData[T], locale: Locale) => unknown> }

type EventTimesAndPlace = Pick<EmailData['reminder'], 'startsAt' | 'endsAt' | 'timezone' | 'venueAddress'>

/** When and where, for every email about the fair: local to the fair's time zone, in the reader's language. */
const EVENT_DERIVED = {
  // "Samstag, 20. März": short enough for a subject line
  dateText: (d: EventTimesAndPlace, locale: Locale) => dateFormat(locale, d.timezone, DAY).format(new Date(d.startsAt)),
  startsAtText: (d: EventTimesAndPlace, locale: Locale) =>
    dateFormat(locale, d.timezone, DAY_AND_TIME).format(new Date(d.startsAt)),
  endsAtText: (d: EventTimesAndPlace, locale: Locale) =>
    dateFormat(locale, d.timezone, DAY_AND_TIME).format(new Date(d.endsAt)),
  whenText: (d: EventTimesAndPlace, locale: Locale) => timeRangeText(locale, d.timezone, d.startsAt, d.endsAt),
  venueAddress: (d: EventTimesAndPlace) =>
    d.venueAddress
      .split(/\r?\n/)
      .map((part) => part.trim())
      .filter(Boolean)
      .join(', '),
}

/**
 * The plural category of the party size in the reader's language, one boolean each, so a translator writes
 * every form the language has: German and English one/other, Arabic one/two/few/many/other ("شخصان",
 * "3 أشخاص", "11 شخصًا"). Categories a language does not have are never true.
 */
const PLURAL_RULES = Object.fromEntries(LOCALES.map((l) => [l, new Intl.PluralRules(INTL_LOCALE[l])])) as Record<
  Locale,
  Intl.PluralRules
>
const partyPlural = (category: Intl.LDMLPluralRule) => (d: { partySize: number }, locale: Locale) =>
  PLURAL_RULES[locale].select(d.partySize) === category
const PARTY_DERIVED = {
  partyOne: partyPlural('one'),
  partyTwo: partyPlural('two'),
  partyFew: partyPlural('few'),
  partyMany: partyPlural('many'),
  partyOther: partyPlural('other'),
}

type ReservationData = NonNullable<EmailData['registration-confirmed']['reservations']>[number]

/** One reservation inside `{{#reservations}}`: the session, when (local to the fair), the room, its place in line. */
function reservationItem(r: ReservationData, timeZone: string, locale: Locale) {
  return {
    sessionTitle: r.sessionTitle,
    sessionWhenText: timeRangeText(locale, timeZone, r.startsAt, r.endsAt),
    roomName: r.roomName,
    isWaitlisted: Boolean(r.waitlistPosition),
    waitlistPosition: r.waitlistPosition ?? '',
  }
}

/**
 * Variables a template may use only inside a list's section, by the section's name: the keys of each item.
 * Taken from the item function itself, so the template check and the renderer cannot drift apart.
 */
const SECTION_VARIABLES: Partial<Record<TemplateName, Record<string, readonly string[]>>> = {
  'registration-confirmed': {
    reservations: Object.keys(reservationItem({ sessionTitle: '-', startsAt: '1970-01-01T00:00Z', endsAt: '1970-01-01T00:00Z', roomName: '-' }, 'UTC', 'de')),
  },
}

/**
 * What the renderer computes from the data, so templates stay logic-less: dates formatted for the
 * language in the event's time zone, plural-correct durations, booleans for `{{#section}}`s, and the
 * announcement body as escaped paragraphs. A key that is also a data key replaces the value.
 */
const DERIVED = {
  'magic-link': {
    expiresText: (d, locale) =>
      new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'unit', unit: 'minute', unitDisplay: 'long' }).format(
        d.expiresMinutes,
      ),
  },
  reminder: {
    isVisitors: (d) => d.audience === 'visitors',
    isExhibitors: (d) => d.audience === 'exhibitors',
    ...EVENT_DERIVED,
  },
  announcement: {
    body: (d) => d.body.replace(/\r\n?/g, '\n').trim(),
    bodyHtml: (d) => paragraphsHtml(d.body),
  },
  'registration-confirmed': {
    ...EVENT_DERIVED,
    ...PARTY_DERIVED,
    hasReservations: (d) => (d.reservations?.length ?? 0) > 0,
    reservations: (d, locale) => (d.reservations ?? []).map((r) => reservationItem(r, d.timezone, locale)),
  },
  'registration-waitlisted': { ...EVENT_DERIVED, ...PARTY_DERIVED },
  'event-cancelled': { ...EVENT_DERIVED },
  'association-welcome': { expiresText: (d, locale) => durationText(d.expiresMinutes, locale) },
  'account-erase': { expiresText: (d, locale) => durationText(d.expiresMinutes, locale) },
  'association-invitation': { expiresText: (d, locale) => durationText(d.expiresMinutes, locale) },
  'booking-status': {
    ...EVENT_DERIVED,
    isRequested: (d) => d.status === 'requested',
    isApproved: (d) => d.status === 'approved',
    isWaitlisted: (d) => d.status === 'waitlisted',
    isRejected: (d) => d.status === 'rejected',
    isWithdrawn: (d) => d.status === 'withdrawn',
    isCancelled: (d) => d.status === 'cancelled',
    passCount: (d) => d.passes?.length ?? 0,
    passesText: (d, locale) => (d.passes ?? []).map((p, i) => `${PASS_LABEL[locale]} ${i + 1}: ${p.code}`).join('\n'),
    passesHtml: (d, locale) => passesHtml(d.passes ?? [], locale),
  },
  'co-exhibitor-invitation': { ...EVENT_DERIVED },
  'stand-freed': {
    ...EVENT_DERIVED,
    waitlistedHtml: (d) => (d.waitlisted ? paragraphsHtml(d.waitlisted) : ''),
  },
  'session-reservation': {
    ...EVENT_DERIVED,
    isReserved: (d) => d.update === 'reserved',
    isWaitlisted: (d) => d.update === 'waitlisted',
    isPromoted: (d) => d.update === 'promoted',
    isChanged: (d) => d.update === 'changed',
    isCancelled: (d) => d.update === 'cancelled',
    isReminder: (d) => d.update === 'reminder',
    partyOne: (d, locale) => partyPlural('one')({ partySize: d.people }, locale),
  },
  meeting: {
    ...EVENT_DERIVED,
    isRequested: (d) => d.kind === 'requested',
    isAccepted: (d) => d.kind === 'accepted',
    isScheduled: (d) => d.kind === 'scheduled',
    isDeclined: (d) => d.kind === 'declined',
    isRescheduled: (d) => d.kind === 'rescheduled',
    isCancelled: (d) => d.kind === 'cancelled',
    isHeld: (d) => d.kind === 'held',
    isReminder: (d) => d.kind === 'reminder',
    meetingTimeText: (d, locale) =>
      d.meetingStartsAt && d.meetingEndsAt ? timeRangeText(locale, d.timezone, d.meetingStartsAt, d.meetingEndsAt) : '',
  },
} satisfies Derivations

const PASS_LABEL: Record<Locale, string> = { de: 'Ausweis', en: 'Pass', tr: 'Kart', ar: 'بطاقة' }
const PASS_ALT: Record<Locale, string> = {
  de: 'QR-Code des Ausstellerausweises',
  en: 'QR code of exhibitor pass',
  tr: 'Stand görevlisi kartının QR kodu',
  ar: 'رمز QR لبطاقة العارض',
}

/** The passes' QR codes, each shown from its inline attachment (attachments.ts), with its number and code. */
function passesHtml(passes: readonly { code: string }[], locale: Locale): string {
  return passes
    .map(
      (p, i) =>
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;margin:0 0 16px;"><tr>` +
        `<td align="center" style="padding:12px;border:1px solid #d8dee6;border-radius:6px;text-align:center;">` +
        `<img src="cid:${passQrCid(i)}" width="200" height="200" alt="${escapeHtml(`${PASS_ALT[locale]} ${i + 1}`)}" style="display:block;margin:0 auto;width:200px;height:200px;border:0;outline:none;">` +
        `<div style="margin:8px 0 0;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#1f2933;">${escapeHtml(`${PASS_LABEL[locale]} ${i + 1}`)}</div>` +
        `</td></tr></table>`,
    )
    .join('\n')
}

/** A link's lifetime in the reader's language: whole days as days ("7 Tage"), anything else in minutes. */
function durationText(minutes: number, locale: Locale): string {
  const days = minutes % (24 * 60) === 0 ? minutes / (24 * 60) : 0
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'unit', unit: days ? 'day' : 'minute', unitDisplay: 'long' }).format(
    days || minutes,
  )
}

/** Variables that hold HTML built (and escaped) here, the only ones an .html file may use unescaped. */
const HTML_VARIABLES = new Set(['bodyHtml', 'passesHtml', 'waitlistedHtml'])

/** What each subject must name, so a reader can tell the email apart in a full inbox. */
const SUBJECT_MUST_NAME: Record<TemplateName, { variable: string } | { text: string }> = {
  'magic-link': { text: 'Vereinsmesse' },
  reminder: { variable: 'eventTitle' },
  announcement: { variable: 'eventTitle' },
  'registration-confirmed': { variable: 'eventTitle' },
  'registration-waitlisted': { variable: 'eventTitle' },
  'event-cancelled': { variable: 'eventTitle' },
  'association-welcome': { text: 'Vereinsmesse' },
  'association-invitation': { text: 'Vereinsmesse' },
  'booking-status': { variable: 'eventTitle' },
  'co-exhibitor-invitation': { variable: 'eventTitle' },
  'stand-freed': { variable: 'eventTitle' },
  'session-reservation': { variable: 'eventTitle' },
  meeting: { variable: 'eventTitle' },
  'account-erase': { text: 'Vereinsmesse' },
}

/** Every variable a template's files may use: its data, what is derived from it, and lang/dir/align. */
export function allowedVariables(template: TemplateName | typeof LAYOUT_FILE): Set<string> {
  if (template === LAYOUT_FILE) return new Set([...COMMON_VARIABLES, 'subject', 'content'])
  return new Set([...COMMON_VARIABLES, ...Object.keys(EMAIL_DATA[template].properties), ...Object.keys(DERIVED[template])])
}

export interface TemplateTag {
  name: string
  kind: 'escaped' | 'unescaped' | 'section' | 'partial'
  /** the sections the tag is inside, outermost first */
  within: string[]
}

/** Every tag in a Mustache source, sections included; throws when the source does not parse. */
export function templateTags(source: string): TemplateTag[] {
  const tags: TemplateTag[] = []
  const walk = (tokens: mustache.TemplateSpans, within: string[]) => {
    for (const token of tokens) {
      const [type, name] = token
      if (type === 'name') tags.push({ name, kind: 'escaped', within })
      else if (type === '&') tags.push({ name, kind: 'unescaped', within })
      else if (type === '>') tags.push({ name, kind: 'partial', within })
      else if (type === '#' || type === '^') {
        tags.push({ name, kind: 'section', within })
        walk((token as unknown as [string, string, number, number, mustache.TemplateSpans])[4], [...within, name])
      }
    }
  }
  walk(mustache.parse(source), [])
  return tags
}

/** The variable names a Mustache source uses, each once. */
export function templateVariables(source: string): string[] {
  return [...new Set(templateTags(source).map((tag) => tag.name))]
}

/**
 * What is wrong with one template file, as it is on disk; [] when nothing.
 * `template` is a template name, or LAYOUT_FILE for the shared layout.
 */
export function templateFileProblems(
  template: TemplateName | typeof LAYOUT_FILE,
  part: 'html' | 'txt',
  source: string,
): string[] {
  const problems: string[] = []
  let body = source
  if (part === 'txt') {
    let subject: string
    try {
      ;({ subject, text: body } = splitTextFile(source))
    } catch (err) {
      return [(err as Error).message]
    }
    if (template !== LAYOUT_FILE) problems.push(...subjectProblems(template, subject))
    problems.push(...tagProblems(template, part, subject))
  }
  problems.push(...tagProblems(template, part, body))
  if (part === 'html') {
    // Mail clients drop <style> blocks and block remote content: the layout must work with neither.
    // The one exception is an image the email itself carries (cid:), where the worker attaches one.
    const { rest, problems: imageProblems } = inlineImages(template, source)
    problems.push(...imageProblems)
    if (/<(style|script|link|iframe|img)\b/i.test(rest)) {
      problems.push('uses <style>, <script>, <link>, <iframe> or <img>')
    }
    if (/url\(|\bsrc\s*=/i.test(rest)) problems.push('loads an external resource')
  }
  return problems
}

/**
 * The `<img src="cid:…">` tags of an HTML source that show an image this email attaches (INLINE_IMAGES),
 * removed from `rest`; each needs alt text, for readers who do not see it.
 */
export function inlineImages(
  template: TemplateName | typeof LAYOUT_FILE,
  source: string,
): { rest: string; problems: string[] } {
  const cids: readonly string[] = template === LAYOUT_FILE ? [] : (INLINE_IMAGES[template] ?? [])
  const problems: string[] = []
  const rest = source.replace(/<img\b[^>]*>/gi, (tag) => {
    const cid = /\ssrc="cid:([^"]*)"/i.exec(tag)?.[1]
    if (cid === undefined || !cids.includes(cid)) return tag
    if (!/\salt="[^"]*\S[^"]*"/i.test(tag)) problems.push(`the image cid:${cid} has no alt text`)
    return ''
  })
  return { rest, problems }
}

function subjectProblems(template: TemplateName, subject: string): string[] {
  const must = SUBJECT_MUST_NAME[template]
  if ('text' in must) return subject.includes(must.text) ? [] : [`the subject does not mention "${must.text}"`]
  let variables: string[]
  try {
    variables = templateVariables(subject)
  } catch {
    return []
  }
  return variables.includes(must.variable) ? [] : [`the subject does not contain {{${must.variable}}}`]
}

function tagProblems(template: TemplateName | typeof LAYOUT_FILE, part: 'html' | 'txt', source: string): string[] {
  let tags: TemplateTag[]
  try {
    tags = templateTags(source)
  } catch (err) {
    return [`does not parse: ${(err as Error).message}`]
  }
  const allowed = allowedVariables(template)
  const problems: string[] = []
  const sections = template === LAYOUT_FILE ? {} : (SECTION_VARIABLES[template] ?? {})
  for (const { name, kind, within } of tags) {
    if (kind === 'partial') problems.push(`uses the partial {{> ${name}}}; partials are not supported`)
    else if (!allowed.has(name) && !within.some((section) => sections[section]?.includes(name))) problems.push(`uses {{${name}}}, which the "${template}" email does not provide`)
    else if (part === 'html' && kind === 'unescaped' && !HTML_VARIABLES.has(name) && name !== 'content') {
      problems.push(`uses {{{${name}}}} unescaped in HTML; only ${[...HTML_VARIABLES].join(', ')} may be`)
    }
  }
  return [...new Set(problems)]
}

/** A .txt file is "Subject: …", a blank line, then the text body. */
export function splitTextFile(source: string): { subject: string; text: string } {
  const match = /^Subject:[ \t]*([^\n]*)\n\n([\s\S]*)$/.exec(source)
  if (!match) throw new Error('must start with a "Subject: …" line followed by a blank line')
  const subject = match[1].trim()
  if (subject === '') throw new Error('has an empty subject')
  return { subject, text: match[2] }
}

interface LocaleTemplate {
  subject: string
  text: string
  html: string
}

interface TemplateSet {
  layout: string
  // `${template}/${locale}`; a locale without files is absent and falls back to German
  byKey: Map<string, LocaleTemplate>
}

function readTemplate(dir: URL, file: string): string {
  // Translators' editors may add a byte order mark or Windows line ends; neither must reach an email.
  return readFileSync(new URL(file, dir), 'utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
}

/** Reads every template in `dir`; a set that cannot serve every template in German fails loudly here. */
function loadTemplates(dir: URL): TemplateSet {
  const problems: string[] = []
  const byKey = new Map<string, LocaleTemplate>()
  const layout = existsSync(new URL(LAYOUT_FILE, dir)) ? readTemplate(dir, LAYOUT_FILE) : ''
  if (!layout) problems.push(`templates/${LAYOUT_FILE} is missing`)
  for (const template of TEMPLATE_NAMES) {
    for (const locale of LOCALES) {
      const [htmlFile, textFile] = [`${template}/${locale}.html`, `${template}/${locale}.txt`]
      const present = [htmlFile, textFile].filter((file) => existsSync(new URL(file, dir)))
      if (present.length === 0) {
        if (locale === DEFAULT_LOCALE) problems.push(`templates/${template}/${locale}.{html,txt} are missing`)
        continue
      }
      if (present.length === 1) {
        problems.push(`templates/${present[0]} has no ${present[0] === htmlFile ? '.txt' : '.html'} beside it`)
        continue
      }
      try {
        const { subject, text } = splitTextFile(readTemplate(dir, textFile))
        const html = readTemplate(dir, htmlFile)
        for (const source of [subject, text, html]) mustache.parse(source)
        byKey.set(`${template}/${locale}`, { subject, text, html })
      } catch (err) {
        problems.push(`templates/${template}/${locale}: ${(err as Error).message}`)
      }
    }
  }
  if (problems.length > 0) {
    throw new EmailRenderError(`Email templates cannot be loaded: ${problems.join('; ')}`, problems, 'templates')
  }
  return { layout, byKey }
}

const plain = (value: unknown) => String(value)

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

// Mustache's own escape also writes / as &#x2F;, which makes every URL in the HTML unreadable to tools and tests.
/** The five characters that matter in text and in quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c])
}

/** Plain text as HTML paragraphs: a blank line starts a paragraph, a single line break stays one. */
export function paragraphsHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p style="margin:0 0 16px;">${paragraph.split('\n').map(escapeHtml).join('<br>\n')}</p>`)
    .join('\n')
}

/**
 * A renderer over the templates in `dir` (a file URL ending in "/"), read on its first use and kept.
 * Tests use it with a copy of the templates; everything else uses `renderEmail`.
 */
export function createRenderer(dir: URL = TEMPLATES_DIR) {
  let templateSet: TemplateSet | undefined
  return function render(template: TemplateName, locale: string, data: Record<string, unknown>): RenderedEmail {
    if (!isTemplateName(template)) throw new EmailRenderError(`Unknown email template "${String(template)}"`)
    const problems = renderProblems(template, data)
    if (problems.length > 0) {
      throw new EmailRenderError(`Cannot render the "${template}" email: ${problems.join('; ')}`, problems)
    }
    // Not kept when it fails, so fixed files are picked up by the next email.
    templateSet ??= loadTemplates(dir)
    const requested = normaliseLocale(locale)
    const used: Locale = templateSet.byKey.has(`${template}/${requested}`) ? requested : DEFAULT_LOCALE
    const files = templateSet.byKey.get(`${template}/${used}`) as LocaleTemplate

    const direction = used === 'ar' ? { dir: 'rtl', align: 'right' } : { dir: 'ltr', align: 'left' }
    const common = { lang: used, ...direction }
    const derivations: Record<string, (d: never, l: Locale) => unknown> = DERIVED[template]
    const derived = Object.fromEntries(
      Object.entries(derivations).map(([name, derive]) => [name, derive(data as never, used)]),
    )
    const view = { ...data, ...derived, ...common }

    const subject = mustache.render(files.subject, view, {}, { escape: plain }).replace(/\s+/g, ' ').trim()
    const text = mustache.render(files.text, view, {}, { escape: plain }).replace(/\n{3,}/g, '\n\n').trimEnd()
    const content = mustache.render(files.html, view, {}, { escape: escapeHtml })
    const html = mustache.render(templateSet.layout, { ...common, subject, content }, {}, { escape: escapeHtml })
    return { subject, html, text: `${text}\n`, locale: used }
  }
}

const renderFromTemplatesFolder = createRenderer()

/**
 * Renders one email from templates/. Throws EmailRenderError when `data` lacks what the template needs
 * (see validateEmailData), so no email ever says "undefined", or when the template files are broken.
 */
export function renderEmail(template: TemplateName, locale: string, data: Record<string, unknown>): RenderedEmail {
  return renderFromTemplatesFolder(template, locale, data)
}
