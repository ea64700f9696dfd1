import { Type } from 'typebox'
import { Email, Nullable, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'
import { Account } from '../accounts/accounts.schemas.js'
import { VocabularyKey } from './vocabularies.schemas.js'

const keys = (description: string, minItems = 0) =>
  Type.Array(VocabularyKey, { minItems, maxItems: 20, description: `${description}; keys of GET /v1/vocabularies` })
const Languages = Type.Array(Type.String({ pattern: '^[A-Za-z]{2,3}$', description: 'ISO 639 code, e.g. "de", "tr", "ar"' }), {
  maxItems: 30,
  description: 'languages the association works in',
})
const Website = Type.String({ minLength: 1, maxLength: 500, pattern: '^https?://[^\\s]+$', description: 'an http(s) URL' })
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })

/** Public profile fields: everyone sees them (directory, exhibitors of a fair, matchmaking). */
const publicFields = {
  id: Uuid,
  name: Type.String(),
  legalForm: Nullable(Type.String({ description: 'e.g. "e. V.", "gGmbH"' })),
  district: Type.String({ description: 'a key of the districts vocabulary' }),
  address: Nullable(Type.String()),
  website: Nullable(Type.String()),
  description: Nullable(Type.String()),
  fieldsOfActivity: Type.Array(Type.String()),
  targetGroups: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  migrantOrganization: Type.Boolean({ description: 'a migrant organisation (Migrantenselbstorganisation)' }),
}

export const AssociationPublic = Type.Object(publicFields, {
  $id: 'AssociationPublic',
  additionalProperties: false,
  description: 'the public profile of an association; what anyone sees',
})

export const AssociationPrivate = Type.Object(
  {
    ...publicFields,
    contactEmail: Type.String({ description: 'private: the contact email (at sign-up, the first member’s)' }),
    contactPhone: Nullable(Type.String({ description: 'private' })),
    registerNumber: Nullable(Type.String({ description: 'private: entry in the register of associations' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {
    $id: 'AssociationPrivate',
    additionalProperties: false,
    description: 'the public profile plus the private fields: for its members, organizers and admins only',
  },
)

/** The profile as sign-up takes it. Private fields are marked so in their descriptions. */
const profileInput = {
  name: Name,
  legalForm: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'e.g. "e. V."' })),
  district: VocabularyKey,
  address: Type.Optional(Type.String({ maxLength: 500 })),
  website: Type.Optional(Website),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  fieldsOfActivity: keys('what the association does; at least one', 1),
  targetGroups: Type.Optional(keys('whom it does it for')),
  languages: Type.Optional(Languages),
  migrantOrganization: Type.Boolean(),
  contactPhone: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'private: members, organizers and admins only' })),
  registerNumber: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'private: register of associations entry, e.g. "VR 1234"' }),
  ),
}

export const AssociationSignUpProfile = Type.Object(profileInput, { $id: 'AssociationSignUpProfile', additionalProperties: false })

export const AssociationSignUp = Type.Object(
  {
    association: ref(AssociationSignUpProfile),
    contact: Type.Object(
      {
        name: Name,
        email: Email,
        password: Type.String({ minLength: 10, maxLength: 200 }),
      },
      { additionalProperties: false, description: 'the first member: an exhibitor account; its email becomes the contact email' },
    ),
  },
  { $id: 'AssociationSignUp', additionalProperties: false },
)

export const AssociationSignUpResult = Type.Object(
  {
    association: ref(AssociationPrivate),
    account: ref(Account),
    token: Type.String({ description: 'vms_ session token of the new account' }),
  },
  { $id: 'AssociationSignUpResult', additionalProperties: false },
)

/** Partial update: what is sent changes; null clears an optional field. */
export const AssociationPatch = Type.Object(
  {
    name: Type.Optional(Name),
    legalForm: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    district: Type.Optional(VocabularyKey),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    website: Type.Optional(Nullable(Website)),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    fieldsOfActivity: Type.Optional(keys('at least one', 1)),
    targetGroups: Type.Optional(keys('whom it does it for')),
    languages: Type.Optional(Languages),
    migrantOrganization: Type.Optional(Type.Boolean()),
    contactEmail: Type.Optional(Email),
    contactPhone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50, description: 'private' }))),
    registerNumber: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100, description: 'private' }))),
  },
  { $id: 'AssociationPatch', additionalProperties: false, minProperties: 1 },
)

export const AssociationList = Type.Object(
  { items: Type.Array(ref(AssociationPublic)), nextCursor: Nullable(Type.String()) },
  { $id: 'AssociationList', additionalProperties: false },
)

export const AssociationListQuery = Type.Object(
  {
    ...PageQuery.properties,
    q: Type.Optional(
      Type.String({ maxLength: 100, description: 'words that start words of the name or description (at least 2 letters)' }),
    ),
    field: Type.Optional(VocabularyKey),
    district: Type.Optional(VocabularyKey),
  },
  { additionalProperties: false },
)

export const AssociationMember = Type.Object(
  { ...Account.properties, joinedAt: Timestamp },
  { $id: 'AssociationMember', additionalProperties: false },
)

export const AssociationMemberList = Type.Object(
  { items: Type.Array(ref(AssociationMember)) },
  { $id: 'AssociationMemberList', additionalProperties: false },
)

export const AssociationMemberInvite = Type.Object(
  { email: Email, name: Name },
  {
    $id: 'AssociationMemberInvite',
    additionalProperties: false,
    description: 'an existing account joins as it is; an unknown email gets an exhibitor account without a password',
  },
)

export const AssociationIdParams = Type.Object({ id: Uuid })
export const AssociationMemberParams = Type.Object({ id: Uuid, accountId: Uuid }, { additionalProperties: false })

export const AssociationContactTransfer = Type.Object(
  { accountId: Type.String({ format: 'uuid', description: 'the member who becomes the contact; their email becomes the contact address' }) },
  { $id: 'AssociationContactTransfer', additionalProperties: false },
)

export const associationSchemas = [
  AssociationContactTransfer,
  AssociationPublic,
  AssociationPrivate,
  AssociationSignUpProfile,
  AssociationSignUp,
  AssociationSignUpResult,
  AssociationPatch,
  AssociationList,
  AssociationMember,
  AssociationMemberList,
  AssociationMemberInvite,
]
