import type { AudienceSources } from '../../mail/reminders.js'
import { exhibitorAudience } from '../associations/exhibitors.service.js'
import { visitorAudience } from '../registrations/registrations.service.js'

/**
 * Where reminders and announcements find their recipients: visitors are the confirmed registrations,
 * exhibitors the contacts of approved stand bookings (with their stand code). The composition root (app.ts,
 * server.ts) hands them to the announcement routes and the reminder scheduler.
 */
export const defaultAudiences: AudienceSources = { visitors: visitorAudience, exhibitors: exhibitorAudience }
