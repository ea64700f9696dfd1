import type { AudienceSources } from './reminders.js'

/**
 * Where reminders and announcements find their recipients. The registration feature adds `visitors`
 * (confirmed registrations) and the stand-booking feature `exhibitors` (contacts of approved bookings);
 * until those exist, an audience without a source simply has nobody in it.
 */
export const defaultAudiences: AudienceSources = {}
