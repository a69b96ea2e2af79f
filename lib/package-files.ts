import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a function finds a file of an installed package (`swagger-ui-dist/swagger-ui.css`) that it reads at run time
 * instead of bundling it: beside its bundle in Lambda (infra copies it there after esbuild ran: filesBesideBundle in
 * infra/function-defaults.ts), in node_modules everywhere else (tests, the local stack, scripts run from source).
 * A file missing from both is an error that names the package path.
 */
export function packageFilePath(packagePath: string): string {
  const beside = join(__dirname, packagePath.slice(packagePath.lastIndexOf('/') + 1));
  return existsSync(beside) ? beside : require.resolve(packagePath);
}
