import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { awsEndpoints, config } from '../config';
import { traced } from '../tracing';

/** Sends one e-mail through SES (the SES emulator on the local stack), From the configured sender. */

export interface OutgoingMail {
  subject: string;
  text: string;
  html: string;
}

let client: SESClient | undefined;

function ses(): SESClient {
  if (!client) {
    const { region, ses: endpoint } = awsEndpoints();
    client = traced(new SESClient({
      region,
      endpoint,
      // One attempt per dispatch: the outbox owns retries, with its own backoff and a visible status.
      maxAttempts: 1,
      ...(endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    }));
  }
  return client;
}

/** For the local stack and tests, which point the same process at a fresh emulator. */
export function resetSesClient(): void {
  client?.destroy();
  client = undefined;
}

export async function sendMail(to: string, mail: OutgoingMail): Promise<void> {
  await ses().send(
    new SendEmailCommand({
      Source: config.senderEmail(),
      Destination: { ToAddresses: [to] },
      Message: {
        Subject: { Data: mail.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
      },
    }),
  );
}

/** SES refusals that no retry can fix (a rejected message, a bad address); everything else is worth retrying. */
export function isPermanentMailError(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return ['MessageRejected', 'InvalidParameterValue', 'MailFromDomainNotVerifiedException'].includes(name);
}
