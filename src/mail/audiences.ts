import { visitorAudience } from '../features/registrations/registrations.service.js'
import type { AudienceSources } from './reminders.js'

/**
 * Where reminders and announcements find their recipients: visitors are the confirmed registrations;
 * exhibitors (contacts of approved stand bookings) arrive with the stand-booking feature.
 */
export const defaultAudiences: AudienceSources = { visitors: visitorAudience }
