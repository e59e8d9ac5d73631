import { fileURLToPath } from 'node:url';
import type { LambdaBundle } from '../../scripts/build-lambdas';
import { loadTemplate } from '../../scripts/cloudformation-yaml';

/** What the Lambda runtime sets, with credentials that work nowhere but on the local fakes. */
export const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  TZ: ':UTC',
} as const;

/**
 * NODE_OPTIONS as the deployed function gets it: the bundle's own when the build reports it, otherwise
 * template.yaml's with SAM's rewrite applied (a truthy `Sourcemap` makes `sam build` append
 * `--enable-source-maps` to the function's NODE_OPTIONS).
 */
export function bundleNodeOptions(bundle: LambdaBundle, templatePath?: string): string {
  if ('nodeOptions' in bundle && typeof bundle.nodeOptions === 'string') return bundle.nodeOptions;
  const template = loadTemplate(
    templatePath ?? fileURLToPath(new URL('../../template.yaml', import.meta.url)),
  );
  const resource = template.Resources[bundle.functionName];
  const props = (resource?.Metadata?.BuildProperties ?? {}) as Record<string, unknown>;
  const current = (resource?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables?.NODE_OPTIONS;
  const options = typeof current === 'string' ? current : '';
  if (props.Sourcemap === true && !options.split(/\s+/).includes('--enable-source-maps')) {
    return `${options} --enable-source-maps`.trim();
  }
  return options;
}
