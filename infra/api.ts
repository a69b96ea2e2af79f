import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccountRecovery, FeaturePlan, Mfa, UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, corsMethods } from '../lib/http/cors';
import { DOCS_PACKAGE_FILES } from '../lib/http/docs';
import type { RouteGroup } from '../lib/http/route';
import { ROUTE_GROUPS, ROUTES } from '../lib/http/routes';
import { backendFunction } from './function-defaults';
import { grantRouteGroup, ROUTE_GROUP_GRANTS, touchesData } from './route-group-grants';
import type { Storage } from './storage';

/** A JWT issuer outside this stack (an existing Cognito pool, or another IdP). */
export interface ExternalIssuer {
  issuer: string;
  audience: string[];
}

export interface ApiProps {
  storage: Storage;
  /** Without it, the stack creates its own Cognito user pool to issue tokens. */
  externalIssuer?: ExternalIssuer;
  /** The front-end's origin: links in e-mails, and the only origin CORS admits. */
  appBaseUrl?: string;
  deletionProtection: boolean;
  /** The forms' choice lists as JSON (the CHOICES variable of the functions); the defaults when absent. */
  choices?: string;
  /** Cognito users must sign in with a TOTP second factor (the default); `false` lets them enrol one by one. */
  mfaRequired: boolean;
  /** The largest list POST /imports lets a user upload (MAX_UPLOAD_BYTES); lib/config.ts's default when absent. */
  maxUploadBytes?: number;
}

/**
 * The HTTP API: one function per route group (functions/http/{group}.ts), every route of lib/http/routes.ts wired
 * to its group's function, and a JWT authorizer on every route that is not declared public. Each function may touch
 * only what its group's entry in infra/route-group-grants.ts names.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Record<RouteGroup, NodejsFunction>;
  /** The functions whose routes start the export worker: infra/exports.ts lets them invoke it. */
  readonly exportRequesters: NodejsFunction[];
  readonly cursorSecret: Secret;
  /** Set when the stack issues its own tokens. */
  readonly users?: UserDirectory;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { storage, appBaseUrl, choices, maxUploadBytes } = props;

    // Signs pagination cursors (lib/http/cursor.ts).
    this.cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'HMAC key that signs pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An HMAC key for pagination cursors: rotating it would break every cursor in flight, and a leak only lets a caller forge positions within queries it may already run.',
    });

    let issuer = props.externalIssuer;
    if (!issuer) {
      this.users = new UserDirectory(this, 'Users', props);
      issuer = this.users.issuer;
    }
    const authorizer = new HttpJwtAuthorizer('Jwt', issuer.issuer, { jwtAudience: issuer.audience });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Lead management API',
      createDefaultStage: false,
      // Secure by default: a route has to ask for no authorizer (below, for routes declared public).
      defaultAuthorizer: authorizer,
      // Browsers of the front-end's origin only (lib/http/cors.ts); without a known front-end, no origin at all. API
      // Gateway answers the preflights and adds the headers to every reply, the authorizer's refusals included.
      corsPreflight: appBaseUrl
        ? {
            allowOrigins: [appBaseUrl],
            allowMethods: corsMethods(ROUTES).map((method) => CorsHttpMethod[method as keyof typeof CorsHttpMethod]),
            allowHeaders: [...CORS_ALLOWED_HEADERS],
            exposeHeaders: [...CORS_EXPOSED_HEADERS],
            maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
          }
        : undefined,
    });
    this.stage = this.createDefaultStage();

    this.functions = Object.fromEntries(
      ROUTE_GROUPS.map((group) => [group, this.createGroupFunction(group, storage, { appBaseUrl, choices, maxUploadBytes })]),
    ) as Record<RouteGroup, NodejsFunction>;
    this.exportRequesters = ROUTE_GROUPS.filter((group) => ROUTE_GROUP_GRANTS[group].startsExportWorker).map((group) => this.functions[group]);

    const integrations = new Map<RouteGroup, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.group);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.group}Integration`, this.functions[route.group]);
        integrations.set(route.group, integration);
      }
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.public ? new HttpNoneAuthorizer() : undefined,
      });
      if (route.public && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by contract (api.md): it serves no data of any user.`,
        });
      }
    }
  }

  private createDefaultStage(): HttpStage {
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    return new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: { burstLimit: 200, rateLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }

  private createGroupFunction(
    group: RouteGroup,
    storage: Storage,
    settings: { appBaseUrl?: string; choices?: string; maxUploadBytes?: number },
  ): NodejsFunction {
    const { appBaseUrl, choices, maxUploadBytes } = settings;
    const entry = `functions/http/${group}.ts`;
    const description = `HTTP API routes of the ${group} group`;
    const grants = ROUTE_GROUP_GRANTS[group];
    // The docs page's viewer is read from files beside its function's bundle, never bundled (lib/http/docs.ts).
    if (group === 'docs') return backendFunction(this, `${group}Function`, { entry, description, filesBesideBundle: DOCS_PACKAGE_FILES });
    if (!touchesData(grants)) return backendFunction(this, `${group}Function`, { entry, description });

    const fn = backendFunction(this, `${group}Function`, {
      entry,
      description,
      environment: {
        ...storage.tableEnvironment(),
        ...(grants.objects && { INTAKE_BUCKET: storage.intakeBucket.bucketName }),
        ...(grants.cursorSecret && { CURSOR_SECRET_ARN: this.cursorSecret.secretArn }),
        ...(appBaseUrl && { APP_BASE_URL: appBaseUrl }),
        ...(choices && { CHOICES: choices }),
        // Only the group that signs uploads needs to know how large one may be.
        ...(grants.objects?.put && maxUploadBytes !== undefined && { MAX_UPLOAD_BYTES: String(maxUploadBytes) }),
      },
    });
    grantRouteGroup(fn, grants, { storage, cursorSecret: this.cursorSecret });
    return fn;
  }
}

/** The Cognito user pool that issues the API's tokens when no external issuer is given. */
class UserDirectory extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly issuer: ExternalIssuer;

  constructor(scope: Construct, id: string, props: { deletionProtection: boolean; mfaRequired: boolean }) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      // Users are created by an admin (POST /users), never by signing themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      // Personal data, read by outside callers too: a password alone is not enough unless the deployment says so.
      mfa: props.mfaRequired ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: props.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!props.mfaRequired) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason: 'The deployment chose optional MFA (-c mfa=optional) so that users enrol one by one; strong passwords are required meanwhile.',
      });
    }
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is a per-user cost not yet decided; the pool can move to Plus in place later.',
      },
    );
    // A browser single-page app signing in with SRP: no client secret, no hosted UI.
    this.client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
    });
    this.issuer = { issuer: `https://${this.userPool.userPoolProviderUrl}`, audience: [this.client.userPoolClientId] };
  }
}
