import type { Context } from 'aws-lambda';

/** The log lines a function writes through Powertools' Logger: the Lambda context on each, personal data on none. */

// Lambda's own variable, read when the Logger is made: the modules are loaded after it is set.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
const { log } = require('../../lib/log') as typeof import('../../lib/log');
const { observedHandler } = require('../../lib/observability') as typeof import('../../lib/observability');

function lambdaContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'LeadBackend-dev-Dispatcher',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:LeadBackend-dev-Dispatcher',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/LeadBackend-dev-Dispatcher',
    logStreamName: '2026/01/01/[$LATEST]abc',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function linesOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'info';
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    process.env.LOG_LEVEL = level;
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('log lines of a function', () => {
  const traceId = '1-5759e988-bd862e3fe1be46a994272793';
  beforeAll(() => {
    process.env._X_AMZN_TRACE_ID = `Root=${traceId};Parent=53995c3f42cd8ad8;Sampled=1`;
  });
  afterAll(() => {
    delete process.env._X_AMZN_TRACE_ID;
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  });

  const handler = observedHandler(async function work(event: { leadId: string }) {
    log.info('lead handled', { leadId: event.leadId, email: 'taro@example.com', phone: '090-1234-5678', name: '山田 太郎', contact: { mobile: '080-0000-0000' } });
    log.warn('lead handled with a warning', { leadId: event.leadId, person: { name: '山田 太郎' } });
    return 'done';
  });

  it('carry the request id, the cold start, the function and the trace id, and no e-mail, phone or name', async () => {
    const first = await linesOf(() => handler({ leadId: 'L1' }, lambdaContext('req-1')));
    const second = await linesOf(() => handler({ leadId: 'L2' }, lambdaContext('req-2')));

    expect(first).toHaveLength(2);
    for (const line of first) {
      expect(line).toMatchObject({ function_request_id: 'req-1', cold_start: true, function_name: 'LeadBackend-dev-Dispatcher', xray_trace_id: traceId, leadId: 'L1' });
    }
    expect(second[0]).toMatchObject({ function_request_id: 'req-2', cold_start: false, xray_trace_id: traceId, level: 'INFO', message: 'lead handled' });
    expect(second[1]).toMatchObject({ level: 'WARN', message: 'lead handled with a warning' });

    const text = JSON.stringify([...first, ...second]);
    expect(text).not.toMatch(/taro@example\.com|090-1234-5678|080-0000-0000|山田/);
    expect(first[0]).toMatchObject({ email: '[redacted]', phone: '[redacted]', name: '[redacted]', contact: { mobile: '[redacted]' } });
  });

  it('are written at the level LOG_LEVEL asks for, read at each line', async () => {
    const level = process.env.LOG_LEVEL;
    const lines = await linesOf(async () => {
      process.env.LOG_LEVEL = 'warn';
      await handler({ leadId: 'L3' }, lambdaContext('req-3'));
    });
    process.env.LOG_LEVEL = level;
    expect(lines.map((line) => line.message)).toEqual(['lead handled with a warning']);
  });

  it('leave the handler callable without a Lambda context, as the local stack calls it', async () => {
    expect(await handler({ leadId: 'L4' })).toBe('done');
  });
});
