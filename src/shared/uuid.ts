/**
 * A UUID in its plain form, any case: the one pattern of the service. (ajv-formats' uuid also takes "urn:uuid:…",
 * which PostgreSQL's uuid type refuses, so http/validation.ts gives the `uuid` format this pattern.) In shared/ because
 * mail validates email data with it and mail sits below http.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
