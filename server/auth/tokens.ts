import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { Role } from '../../common/roles';
import { UnauthorizedError } from '../errors';

const ISSUER = 'visioguichet-hub';
const AUDIENCE = 'visioguichet-agent';

/** Claims the hub puts in an agent token. */
export interface AgentClaims {
  /** Agent id (JWT `sub`). */
  agentId: string;
  /** Display name at login time. */
  displayName: string;
  /** The account's role at login time (routes re-read the account, server/roles.ts); default agent. */
  role?: Role;
}

/** Signs and verifies short-lived HS256 agent tokens; the clock is injected so expiry is testable. */
export class AgentTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: Uint8Array | string,
    /** Token lifetime; one shift (8 h) by default. */
    readonly ttlSeconds = 8 * 3600,
    private readonly now: () => number = Date.now,
  ) {
    this.key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (this.key.length < 32) throw new RangeError('JWT secret must be at least 32 bytes');
  }

  /** Issues a token for an agent who just proved their password. */
  async sign(claims: AgentClaims): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ name: claims.displayName, role: claims.role ?? 'agent' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.agentId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.key);
  }

  /** Verifies signature, algorithm, issuer, audience and expiry; throws UnauthorizedError otherwise. */
  async verify(token: string): Promise<AgentClaims & { role: Role; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(this.now()),
      });
      const role = Role.safeParse(payload.role);
      if (!role.success || typeof payload.sub !== 'string' || typeof payload.name !== 'string') throw new UnauthorizedError('token claims');
      return { agentId: payload.sub, displayName: payload.name, role: role.data, expiresAt: (payload.exp ?? 0) * 1000 };
    } catch (err) {
      if (err instanceof UnauthorizedError) throw err;
      throw new UnauthorizedError(err instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token');
    }
  }
}
