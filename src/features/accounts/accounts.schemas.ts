import { Type } from 'typebox'
import { ACCOUNT_ROLES } from '../../db/schema.js'
import { Email, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'

export const AccountRole = Type.Unsafe<(typeof ACCOUNT_ROLES)[number]>({ type: 'string', enum: [...ACCOUNT_ROLES] })

export const Account = Type.Object(
  {
    id: Uuid,
    email: Email,
    name: Type.String(),
    role: AccountRole,
    createdAt: Timestamp,
  },
  { $id: 'Account', additionalProperties: false },
)

export const AccountCreate = Type.Object(
  {
    email: Email,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: AccountRole,
    password: Type.Optional(
      Type.String({ minLength: 10, maxLength: 200, description: 'omit to let the person log in by magic link only' }),
    ),
  },
  { $id: 'AccountCreate', additionalProperties: false },
)

export const AccountList = Type.Object(
  { items: Type.Array(ref(Account)), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { $id: 'AccountList', additionalProperties: false },
)

export const AccountListQuery = Type.Object(
  { ...PageQuery.properties, role: Type.Optional(AccountRole) },
  { additionalProperties: false },
)

export const accountSchemas = [Account, AccountCreate, AccountList]
