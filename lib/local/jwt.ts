import { SignJWT, jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Local identity. The cloud's JWT authorizer verifies Cognito tokens; locally we sign tokens with a key kept in
 * DATA_DIR and the gateway verifies them the same way, placing the same claims where the authorizer puts them.
 */

export const LOCAL_ISSUER = 'urn:lead-backend:local';
export const LOCAL_AUDIENCE = 'lead-backend-local';

export function loadOrCreateSecret(path: string): Buffer {
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString('base64'), { mode: 0o600 });
  return secret;
}

export interface LocalClaims {
  sub: string;
  'cognito:groups'?: string[];
  [claim: string]: unknown;
}

export async function signLocalToken(secret: Buffer, userId: string, role: string, ttlSeconds = 12 * 3600): Promise<string> {
  return new SignJWT({ 'cognito:groups': [role], token_use: 'access', client_id: LOCAL_AUDIENCE, username: userId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret);
}

/** Throws on a bad signature, a wrong issuer or audience, or an expired token. */
export async function verifyLocalToken(secret: Buffer, token: string): Promise<LocalClaims> {
  const { payload } = await jwtVerify(token, secret, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['HS256'] });
  return payload as LocalClaims;
}
