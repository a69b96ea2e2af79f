/**
 * The AWS SDK's default credential chain, as the functions' bundles have it: infra/function-defaults.ts makes esbuild
 * take this file for `@aws-sdk/credential-provider-node`, which every client's runtime config imports.
 *
 * In Lambda the execution role's credentials are always in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), the first place the full chain looks; its other sources (profiles, SSO, web identity, the
 * instance metadata service, each with an STS or SSO client of its own) are never reached there, yet esbuild cannot
 * drop them: about 135 KB of every bundle. The local stack, the tests and the scripts run from source, with the full
 * chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
