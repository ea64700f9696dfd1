import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'

type Factory = ReturnType<typeof SerializerSelector>
type Compiler = ReturnType<Factory>
type Schemas = Record<string, unknown>

const buildFromSchemas = SerializerSelector()

/** The shared schemas a schema refers to (`$ref: "Name"` or `"Name#/…"`), and those they refer to, by id. */
function referenced(schema: unknown, shared: Schemas): Schemas {
  const found: Schemas = {}
  const stack = [schema]
  while (stack.length > 0) {
    const node = stack.pop()
    if (Array.isArray(node)) stack.push(...node)
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const id = value.split('#')[0]
          if (id && !(id in found) && id in shared) stack.push((found[id] = shared[id]))
        } else stack.push(value)
      }
    }
  }
  return found
}

/**
 * Response serializers, one per distinct response schema instead of one per route and status, each given only the
 * shared schemas it refers to. fast-json-stringify checks and walks every schema it is given for every serializer it
 * builds, and every route answers its problems with the same `ProblemDetails` ref (eight statuses or so each): with
 * all ~200 shared schemas for each of ~1,300 builds, that was most of the start-up's 3.4 s.
 */
export function buildSerializer(externalSchemas: Parameters<Factory>[0], options: Parameters<Factory>[1]): Compiler {
  const shared = (externalSchemas ?? {}) as Schemas
  const built = new Map<string, ReturnType<Compiler>>()
  return (route) => {
    const key = JSON.stringify(route.schema)
    let serializer = built.get(key)
    if (!serializer) built.set(key, (serializer = buildFromSchemas(referenced(route.schema, shared), options)(route)))
    return serializer
  }
}
