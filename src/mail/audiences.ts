import { exhibitorAudience } from '../features/associations/exhibitors.service.js'
import { visitorAudience } from '../features/registrations/registrations.service.js'
import type { AudienceSources } from './reminders.js'

/**
 * Where reminders and announcements find their recipients: visitors are the confirmed registrations,
 * exhibitors the contacts of approved stand bookings (with their stand code).
 */
export const defaultAudiences: AudienceSources = { visitors: visitorAudience, exhibitors: exhibitorAudience }
