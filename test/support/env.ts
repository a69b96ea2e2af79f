// Quiet logs in tests unless asked for (LOG_LEVEL=info npx jest …); tests that check logs raise the level themselves.
process.env.LOG_LEVEL ??= 'silent';
// As on the local stack: no embedded metrics on stdout, no X-Ray.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// The SDK's notice that it will need Node 22 from 2027 says nothing about the product.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Notification e-mails: retry within a fraction of a second and sweep the outbox often, so outage tests are quick.
process.env.MAIL_RETRY_BASE_MS ??= '200';
process.env.LOCAL_SWEEP_MS ??= '300';
