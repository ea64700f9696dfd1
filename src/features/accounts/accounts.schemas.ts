import { Type } from 'typebox'
import { ACCOUNT_LANGUAGES, ACCOUNT_ROLES } from '../../db/schema.js'
import { Email, Nullable, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'

export const AccountRole = Type.Unsafe<(typeof ACCOUNT_ROLES)[number]>({ type: 'string', enum: [...ACCOUNT_ROLES] })
export const AccountLanguage = Type.Unsafe<(typeof ACCOUNT_LANGUAGES)[number]>({
  type: 'string',
  enum: [...ACCOUNT_LANGUAGES],
  description: 'the language of every email to this account',
})
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '^(?!\\s*$)[^\\u0000-\\u001f\\u007f-\\u009f]*$' })
const Password = Type.String({ minLength: 10, maxLength: 200 })

export const Account = Type.Object(
  {
    id: Uuid,
    email: Email,
    name: Type.String(),
    role: AccountRole,
    language: AccountLanguage,
    active: Type.Boolean({ description: 'false: deactivated by an admin (or erased); it cannot log in' }),
    createdAt: Timestamp,
  },
  { $id: 'Account', additionalProperties: false },
)

export const AccountCreate = Type.Object(
  {
    email: Email,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: AccountRole,
    language: Type.Optional(AccountLanguage),
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

export const AccountIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const AccountPatch = Type.Object(
  { name: Type.Optional(Name), role: Type.Optional(AccountRole), language: Type.Optional(AccountLanguage) },
  { $id: 'AccountPatch', additionalProperties: false, minProperties: 1 },
)

export const OwnAccountPatch = Type.Object(
  { name: Type.Optional(Name), language: Type.Optional(AccountLanguage) },
  { $id: 'OwnAccountPatch', additionalProperties: false, minProperties: 1 },
)

export const PasswordChange = Type.Object(
  {
    currentPassword: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'needed unless this session was started by an emailed link' }),
    ),
    newPassword: Password,
  },
  { $id: 'PasswordChange', additionalProperties: false },
)

export const SessionInfo = Type.Object(
  {
    id: Uuid,
    via: Type.Union([Type.Literal('password'), Type.Literal('link')], { description: 'how it was started' }),
    current: Type.Boolean({ description: 'the session of this request' }),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  },
  { $id: 'LoginSession', additionalProperties: false },
)

export const SessionList = Type.Object({ items: Type.Array(ref(SessionInfo)) }, { $id: 'LoginSessionList', additionalProperties: false })
export const SessionIdParams = Type.Object({ loginId: Uuid }, { additionalProperties: false })

export const ErasureRequested = Type.Object(
  {},
  { $id: 'ErasureRequested', additionalProperties: false, description: 'a confirmation link is on its way to the account\'s address' },
)
export const ErasureConfirm = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200, description: 'the vml_ token from the emailed confirmation link' }) },
  { $id: 'ErasureConfirm', additionalProperties: false },
)

export const AccountPersonalData = Type.Object(
  {
    exportedAt: Timestamp,
    account: Type.Object(
      {
        ...Account.properties,
        emailVerifiedAt: Nullable(Timestamp),
        deactivatedAt: Nullable(Timestamp),
      },
      { additionalProperties: false },
    ),
    sessions: Type.Array(Type.Object({ via: Type.String(), createdAt: Timestamp, expiresAt: Timestamp, revokedAt: Nullable(Timestamp) }, { additionalProperties: false })),
    links: Type.Array(Type.Object({ purpose: Type.String(), createdAt: Timestamp, expiresAt: Timestamp, usedAt: Nullable(Timestamp) }, { additionalProperties: false })),
    events: Type.Array(Type.Object({ id: Uuid, slug: Type.String(), title: Type.String(), assignedAt: Timestamp }, { additionalProperties: false }), {
      description: 'events the account is an organizer of',
    }),
    associations: Type.Array(
      Type.Object(
        {
          joinedAt: Timestamp,
          isContact: Type.Boolean(),
          association: Type.Record(Type.String(), Type.Unknown(), { description: 'the full profile, private fields included' }),
          bookings: Type.Array(
            Type.Object(
              {
                id: Uuid,
                eventId: Uuid,
                status: Type.String(),
                createdAt: Timestamp,
                passes: Type.Array(Type.Object({ id: Uuid, holderName: Nullable(Type.String()), revokedAt: Nullable(Timestamp) }, { additionalProperties: false })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    emails: Type.Array(
      Type.Object(
        {
          id: Uuid,
          to: Type.String(),
          template: Type.String(),
          locale: Type.String(),
          status: Type.String(),
          createdAt: Timestamp,
          sentAt: Nullable(Timestamp),
          data: Type.Record(Type.String(), Type.Unknown(), { description: 'what the email was made from, tokens redacted' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'AccountPersonalData', additionalProperties: false },
)

export const accountSchemas = [
  Account,
  AccountCreate,
  AccountList,
  AccountPatch,
  OwnAccountPatch,
  PasswordChange,
  SessionInfo,
  SessionList,
  ErasureRequested,
  ErasureConfirm,
  AccountPersonalData,
]
