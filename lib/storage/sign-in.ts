import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { awsEndpoints, config } from '../config';
import { ConfigError } from '../errors';
import { traced } from '../tracing';

/**
 * The Cognito adapter: sign-ins of the stack's own user pool, which signs people in by e-mail address (the address is
 * the user name; Cognito gives each sign-in its `sub`, the API's user id). Only the first-admin custom resource uses
 * it; everyone after is registered by an admin.
 */

let client: CognitoIdentityProviderClient | undefined;

function cognito(): CognitoIdentityProviderClient {
  if (!client) {
    const { region, cognito: endpoint } = awsEndpoints();
    client = traced(
      new CognitoIdentityProviderClient({
        region,
        endpoint,
        ...(endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      }),
    );
  }
  return client;
}

/** For tests, which point the same process at a fresh emulator. */
export function resetCognitoClient(): void {
  client?.destroy();
  client = undefined;
}

export interface SignIn {
  /** Cognito's `sub`: the user id of the person's user record. */
  subject: string;
  /** False when the sign-in existed already (a second deploy, or someone made it by hand). */
  created: boolean;
}

const subjectOf = (attributes: AttributeType[] | undefined): string => {
  const sub = attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
  if (!sub) throw new ConfigError('the user pool answered without the sign-in’s sub');
  return sub;
};

/**
 * A sign-in for this address, made if there is none: Cognito e-mails the person a temporary password, to be changed
 * at the first sign-in. An address that has one already keeps it (no second mail, no new password).
 */
export async function ensureSignIn(email: string): Promise<SignIn> {
  const userPoolId = config.userPoolId();
  try {
    const created = await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        // The address is known to be theirs: the temporary password is mailed to it.
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    return { subject: subjectOf(created.User?.Attributes), created: true };
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
    const existing = await cognito().send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    return { subject: subjectOf(existing.UserAttributes), created: false };
  }
}
