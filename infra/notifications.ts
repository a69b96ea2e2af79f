import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface NotificationsProps {
  /** The From address of every e-mail the backend sends. */
  senderEmail: string;
}

/**
 * The SES identity mail is sent from. Functions that send mail get `environment` and `grantSendEmail`; nothing
 * sends mail yet (the notification outbox comes in a later issue).
 */
export class Notifications extends Construct {
  readonly senderEmail: string;
  readonly identity: EmailIdentity;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.senderEmail = props.senderEmail;
    // SES e-mails a verification link to this address on deploy; sending works once it has been clicked.
    this.identity = new EmailIdentity(this, 'Sender', { identity: Identity.email(props.senderEmail) });
  }

  /** The variables lib/config.ts reads to send mail. */
  get environment(): Record<string, string> {
    return { SENDER_EMAIL: this.senderEmail };
  }

  /** Sending only, only through this identity, and only with the sender address as From. */
  grantSendEmail(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [this.identity.emailIdentityArn],
      conditions: { StringEquals: { 'ses:FromAddress': this.senderEmail } },
    });
  }
}
