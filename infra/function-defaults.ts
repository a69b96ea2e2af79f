import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack, Validations, type Acknowledgment } from 'aws-cdk-lib';
import { type IGrantable, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NUMBERING_PLAN_FILE } from '../lib/text/phone';

/**
 * How every Lambda function of the backend is built and run. Callers give the entry file and what differs
 * (memory, timeout, environment); everything else is decided here once.
 */

const REPO_ROOT = path.join(__dirname, '..');

/** What every function shares, decided here. */
type Fixed =
  | 'runtime'
  | 'architecture'
  | 'bundling'
  | 'logGroup'
  | 'role'
  | 'tracing'
  | 'projectRoot'
  | 'depsLockFilePath';

/**
 * How every function is bundled. Shared with the bundle-size test (test/infra/bundles.test.ts) and
 * `npm run bench:cold-start`, which build the same bundles with esbuild directly (see esbuildOptions).
 */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  // Stack traces need only the mappings; leaving the sources out keeps the bundle small.
  sourcesContent: false,
  target: 'node24',
  format: OutputFormat.CJS,
  // Prefer the ES module builds: esbuild tree-shakes them (the AWS SDK shrinks by about a fifth).
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK too, so the function runs the SDK version the tests ran, not the runtime's copy.
  externalModules: [],
  // The SDK's credential chain cut to what Lambda uses, the environment (lib/storage/lambda-credentials.ts says why).
  // esbuild resolves the path from the project's root, where NodejsFunction runs it.
  esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': './lib/storage/lambda-credentials.ts' },
} satisfies BundlingOptions;

/**
 * The esbuild options NodejsFunction derives from BUNDLING for one entry file (it runs esbuild's command line with
 * the same settings: --bundle --platform=node and each option above). An option added to BUNDLING must be mapped
 * here too: the bundle-size test fails until it is, so what it measures stays what the stack deploys.
 */
export function esbuildOptions(entry: string): BuildOptions & { entryPoints: string[] } {
  const { minify, sourceMap, sourcesContent, target, format, mainFields, externalModules, esbuildArgs, ...unmapped } = BUNDLING;
  if (Object.keys(unmapped).length > 0) throw new Error(`esbuildOptions does not map ${Object.keys(unmapped).join(', ')}`);
  const alias: Record<string, string> = {};
  for (const [flag, value] of Object.entries(esbuildArgs)) {
    const name = /^--alias:(.+)$/.exec(flag)?.[1];
    if (!name) throw new Error(`esbuildOptions does not map the esbuild flag ${flag}`);
    alias[name] = value;
  }
  return {
    entryPoints: [path.join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    minify,
    sourcemap: sourceMap,
    sourcesContent,
    target,
    format: format === OutputFormat.CJS ? 'cjs' : 'esm',
    mainFields: [...mainFields],
    external: [...externalModules],
    alias,
  };
}

/**
 * The entry files of the backend's functions, relative to the repository root: every file under functions/ that
 * exports a `handler` (functions/http/index.ts, the local gateway's map of handlers, exports none). The bundle-size
 * test and the cold-start bench measure these, so a new function is measured without a line anywhere.
 */
export function functionEntries(dir = 'functions'): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })
    .flatMap((file) => {
      const relative = `${dir}/${file.name}`;
      if (file.isDirectory()) return functionEntries(relative);
      if (!file.name.endsWith('.ts')) return [];
      return /^export (const|async function|function) handler\b/m.test(readFileSync(path.join(REPO_ROOT, relative), 'utf8')) ? [relative] : [];
    })
    .sort();
}

/**
 * The functions that parse phone numbers (lib/text/phone.ts), which read libphonenumber's numbering plan from a file
 * beside their bundle on the first number they parse. test/infra/bundles.test.ts holds this list to the bundles
 * that carry the phone parser, so a function that starts parsing phones cannot miss the file.
 */
export const PHONE_PARSING_FUNCTIONS: readonly string[] = ['functions/exports/handler.ts', 'functions/http/leads.ts', 'functions/http/system.ts', 'functions/intake/handler.ts'];

/** The package files copied beside an entry's bundle: those its caller names, and the numbering plan where phones are parsed. */
export function packageFilesBeside(entry: string, named: readonly string[] = []): string[] {
  return [...named, ...(PHONE_PARSING_FUNCTIONS.includes(entry) ? [NUMBERING_PLAN_FILE] : [])];
}

export interface BackendFunctionProps extends Omit<NodejsFunctionProps, 'entry' | Fixed> {
  /** Entry file, relative to the repository root (`functions/http/users.ts`). */
  entry: string;
  /**
   * Files of installed packages (`swagger-ui-dist/swagger-ui.css`) copied beside the bundle after esbuild ran, for
   * the function to read at run time: large static files that must not weigh on the bundle itself.
   */
  filesBesideBundle?: readonly string[];
}

export function backendFunction(scope: Construct, id: string, props: BackendFunctionProps): NodejsFunction {
  const { entry, environment, filesBesideBundle: named, ...rest } = props;
  const filesBesideBundle = packageFilesBeside(entry, named);

  // An explicit log group makes retention a plain property (no LogRetention custom resource), and an own role
  // lets the function write to that log group only, instead of the managed policy's logs:* on every group.
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);

  const fn = new NodejsFunction(scope, id, {
    entry: path.join(REPO_ROOT, entry),
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    // API Gateway gives up on an integration after 30 s; functions that run longer say so.
    timeout: Duration.seconds(29),
    tracing: Tracing.ACTIVE,
    logGroup,
    role,
    bundling: {
      ...BUNDLING,
      forceDockerBundling: false,
      ...(filesBesideBundle.length > 0 && {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            filesBesideBundle.map((file) => `cp "${path.join(inputDir, 'node_modules', file)}" "${outputDir}/"`),
        },
      }),
    },
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      LOG_LEVEL: 'info',
      // Logs, metrics and traces are filed under the stack's name: two stages in one account stay apart.
      POWERTOOLS_SERVICE_NAME: Stack.of(scope).stackName,
      ...environment,
    },
    ...rest,
  });
  acknowledgeOnGrantee(fn, {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, and a stream trigger adds dynamodb:ListStreams; none of them supports resource-level permissions (the infra test checks that nothing else is granted on *).',
  });
  return fn;
}

/** Grants land on the grantee's role (a function's role), so findings about them are acknowledged there. */
export function acknowledgeOnGrantee(grantee: IGrantable, ...acknowledgments: Acknowledgment[]): void {
  const principal = grantee.grantPrincipal;
  if (!Construct.isConstruct(principal)) throw new Error('can only acknowledge findings on a principal in this app');
  Validations.of(principal).acknowledge(...acknowledgments);
}
