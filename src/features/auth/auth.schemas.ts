import { Type } from 'typebox'
import { Email, ref } from '../../http/schemas.js'
import { Account } from '../accounts/accounts.schemas.js'

export const LoginRequest = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) },
  { $id: 'LoginRequest', additionalProperties: false },
)

export const SessionResponse = Type.Object(
  { token: Type.String({ description: 'vms_ session token; send as Authorization: Bearer' }), account: ref(Account) },
  { $id: 'SessionResponse', additionalProperties: false },
)

export const MeResponse = Type.Object(
  {
    account: ref(Account),
    associations: Type.Array(
      Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }, { additionalProperties: false }),
      { description: 'the associations this account is a member of' },
    ),
  },
  { $id: 'MeResponse', additionalProperties: false },
)

export const MagicLinkRequest = Type.Object(
  { email: Email },
  { $id: 'MagicLinkRequest', additionalProperties: false },
)

export const MagicLinkAccepted = Type.Object(
  {},
  {
    $id: 'MagicLinkAccepted',
    additionalProperties: false,
    description: 'the same for every email: if it belongs to an account, a one-time login link is on its way',
  },
)

// Any string up to a sane length: a malformed token is refused like an unknown one (401), not as a bad request.
export const MagicLinkVerify = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200, description: 'the vml_ token from the emailed link' }) },
  { $id: 'MagicLinkVerify', additionalProperties: false },
)

export const authSchemas = [LoginRequest, SessionResponse, MeResponse, MagicLinkRequest, MagicLinkAccepted, MagicLinkVerify]
