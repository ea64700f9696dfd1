import { Type } from 'typebox'
import { Nullable, Timestamp, Uuid, ref } from '../../http/schemas.js'

/** The bounds of a stand's values; used by the body schemas below and by the stand plan import (stand-import.ts). */
export const STAND_LIMITS = Object.freeze({
  codeMaxLength: 32,
  areaMaxLength: 100,
  /** metres, with at most two decimals (centimetres) */
  sideMaxM: 100,
  priceMaxCents: 10_000_000,
  furnitureMax: 100,
  positionMax: 100_000,
})

/*
 * The stand import checks every stand it reads against StandCreate; the service runs every body through the import's
 * rules too (two decimals, trimmed codes, "Ä" composed), so one stand and a plan of 2000 are judged alike.
 */
const Metres = Type.Number({ exclusiveMinimum: 0, maximum: STAND_LIMITS.sideMaxM, description: 'metres, at most two decimals' })
const Furniture = Type.Integer({ minimum: 0, maximum: STAND_LIMITS.furnitureMax })

export const StandFeatures = Type.Object(
  { power: Type.Optional(Type.Boolean()), tables: Type.Optional(Furniture), chairs: Type.Optional(Furniture) },
  { $id: 'StandFeatures', additionalProperties: false },
)

export const StandPosition = Type.Object(
  {
    x: Type.Number({ minimum: 0, maximum: STAND_LIMITS.positionMax }),
    y: Type.Number({ minimum: 0, maximum: STAND_LIMITS.positionMax }),
    w: Type.Number({ exclusiveMinimum: 0, maximum: STAND_LIMITS.positionMax }),
    h: Type.Number({ exclusiveMinimum: 0, maximum: STAND_LIMITS.positionMax }),
  },
  { $id: 'StandPosition', additionalProperties: false, description: "where the stand is drawn on the floor plan, in the plan's units" },
)

const standFields = {
  code: Type.String({ minLength: 1, maxLength: STAND_LIMITS.codeMaxLength, description: 'unique within the event, ignoring case' }),
  area: Type.Optional(Type.String({ maxLength: STAND_LIMITS.areaMaxLength, description: 'hall or zone' })),
  widthM: Type.Optional(Metres),
  depthM: Type.Optional(Metres),
  priceCents: Type.Optional(Type.Integer({ minimum: 0, maximum: STAND_LIMITS.priceMaxCents })),
  features: Type.Optional(Type.Object(StandFeatures.properties, { additionalProperties: false })),
  position: Type.Optional(Type.Object(StandPosition.properties, { additionalProperties: false })),
}

export const StandCreate = Type.Object(standFields, { $id: 'StandCreate', additionalProperties: false })

export const StandPatch = Type.Object(
  {
    code: Type.Optional(standFields.code),
    area: Type.Optional(Nullable(Type.String({ maxLength: STAND_LIMITS.areaMaxLength }))),
    widthM: Type.Optional(Nullable(Metres)),
    depthM: Type.Optional(Nullable(Metres)),
    priceCents: Type.Optional(standFields.priceCents),
    features: Type.Optional(Type.Object(StandFeatures.properties, { additionalProperties: false })),
    position: Type.Optional(Nullable(Type.Object(StandPosition.properties, { additionalProperties: false }))),
  },
  { $id: 'StandPatch', additionalProperties: false, minProperties: 1, description: 'null clears an optional field' },
)

export const Stand = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    code: Type.String(),
    area: Nullable(Type.String()),
    widthM: Nullable(Type.Number()),
    depthM: Nullable(Type.Number()),
    priceCents: Type.Integer(),
    currency: Type.String(),
    features: Type.Object(StandFeatures.properties, { additionalProperties: false }),
    position: Nullable(Type.Object(StandPosition.properties, { additionalProperties: false })),
    available: Type.Boolean({ description: 'no approved booking holds it' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Stand', additionalProperties: false },
)

export const StandList = Type.Object(
  { items: Type.Array(ref(Stand)) },
  { $id: 'StandList', additionalProperties: false },
)

export const StandParams = Type.Object({ standId: Uuid }, { additionalProperties: false })

export const standSchemas = [StandFeatures, StandPosition, StandCreate, StandPatch, Stand, StandList]
