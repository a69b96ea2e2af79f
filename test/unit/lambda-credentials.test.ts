import { defaultProvider } from '../../lib/storage/lambda-credentials';

/** The credential chain the functions' bundles carry (see lib/storage/lambda-credentials.ts): Lambda's environment. */
describe('the credential chain of the bundled functions', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('gives the execution role credentials Lambda puts in the environment', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    await expect(defaultProvider({})()).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  test('fails plainly where there are none, instead of looking anywhere else', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider({})()).rejects.toThrow(/environment/i);
  });
});
