import { AjvCompiler } from '@fastify/ajv-compiler'
import { UUID_PATTERN } from './schemas.js'

const buildFromPool = AjvCompiler()

/**
 * Bodies are validated strictly (no "5" for 5, no silently dropped extra fields), because a client sending
 * the wrong type has a bug it should hear about. Query strings and path parameters are text by nature,
 * so there types are coerced. All errors are collected, so a form can mark every bad field at once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fastify's factory signature is a union of Ajv and JTD options
export function buildValidator(externalSchemas: any, options: any) {
  const common = { ...options.customOptions, allErrors: true, removeAdditional: false, useDefaults: true }
  // ajv-formats' uuid also takes "urn:uuid:…", which PostgreSQL's uuid type refuses (a 500): only the plain form here.
  const onCreate = (ajv: { addFormat(name: string, format: RegExp): unknown }) => ajv.addFormat('uuid', UUID_PATTERN)
  const strict = buildFromPool(externalSchemas as never, { ...options, onCreate, customOptions: { ...common, coerceTypes: false } } as never)
  const lenient = buildFromPool(externalSchemas as never, { ...options, onCreate, customOptions: { ...common, coerceTypes: 'array' } } as never)
  return (route: Parameters<typeof strict>[0]) => (route.httpPart === 'body' ? strict(route) : lenient(route))
}
