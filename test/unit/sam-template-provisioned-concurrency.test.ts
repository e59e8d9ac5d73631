import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../scripts/cloudformation-yaml';

const template = loadTemplate(fileURLToPath(new URL('../../template.yaml', import.meta.url)));
const hook = template.Resources.TelephonyHookFunction?.Properties ?? {};

describe('provisioned concurrency for the hook (issue 10)', () => {
  it('is an optional parameter, off by default', () => {
    expect(template.Parameters?.HookProvisionedConcurrency).toMatchObject({
      Type: 'Number',
      Default: 0,
      MinValue: 0,
    });
    expect(template.Conditions?.HasHookProvisionedConcurrency).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'HookProvisionedConcurrency' }, 0] }],
    });
  });

  it('applies to the alias API Gateway invokes, only when asked for', () => {
    // SAM points the API's integration at the alias when AutoPublishAlias is set, so provisioned
    // instances are the ones that serve the calls.
    expect(hook.AutoPublishAlias).toBe('live');
    expect(hook.ProvisionedConcurrencyConfig).toEqual({
      'Fn::If': [
        'HasHookProvisionedConcurrency',
        { ProvisionedConcurrentExecutions: { Ref: 'HookProvisionedConcurrency' } },
        { Ref: 'AWS::NoValue' },
      ],
    });
  });
});
