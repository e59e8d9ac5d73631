import { describe, expect, it } from 'vitest';
import { type CfnTemplate, loadTemplate } from '../../scripts/cloudformation-yaml';
import { CfnSchemaValidator } from '../support/cfn-schema-validator';

const template = loadTemplate(new URL('../../template.yaml', import.meta.url).pathname);
// Loading the bundled spec database takes ~1 s; one validator serves every test.
const validator = new CfnSchemaValidator();

function withResource(id: string, mutate: (properties: Record<string, unknown>) => void): CfnTemplate {
  const copy = structuredClone(template);
  const resource = copy.Resources[id];
  if (!resource?.Properties) throw new Error(`no ${id}`);
  mutate(resource.Properties);
  return copy;
}

describe('template.yaml against the published CloudFormation and SAM schemas', () => {
  it('every resource type is known and every property valid', () => {
    expect(validator.validate(template)).toEqual([]);
  });

  it('validates every resource (none skipped)', () => {
    const types = new Set(Object.values(template.Resources).map((r) => r.Type));
    for (const type of types) expect(validator.resourceSpec(type), type).toBeDefined();
    expect(types).toContain('AWS::Serverless::Function');
    expect(types).toContain('AWS::Serverless::Api');
  });

  it('fails a misspelt CloudFormation property', () => {
    const bad = withResource('TemplateTable', (p) => {
      p.PointInTimeRecoverySpecifications = p.PointInTimeRecoverySpecification;
      delete p.PointInTimeRecoverySpecification;
    });
    expect(validator.validate(bad)).toEqual([
      'Resources.TemplateTable.Properties: unknown property PointInTimeRecoverySpecifications for AWS::DynamoDB::Table',
    ]);
  });

  it('fails a misspelt nested property', () => {
    const bad = withResource('IdempotencyTable', (p) => {
      p.SSESpecification = { SSEEnabled: true, SSEType: 'KMS', KmsMasterKeyId: 'x' };
    });
    expect(validator.validate(bad).join('\n')).toMatch(/SSESpecification: unknown property KmsMasterKeyId/);
  });

  it('fails a misspelt property inside an Fn::If branch (WAF rule)', () => {
    const bad = withResource('HookWebAcl', (p) => {
      const rules = p.Rules as Array<Record<string, unknown>>;
      const conditional = rules[0]?.['Fn::If'] as [string, Record<string, unknown>, unknown];
      conditional[1].Priorty = 0;
    });
    expect(validator.validate(bad).join('\n')).toMatch(/unknown property Priorty for Rule/);
  });

  it('fails a missing required property and a wrong primitive type', () => {
    const bad = withResource('DeadLetterQueuePolicy', (p) => {
      delete p.Queues;
    });
    expect(validator.validate(bad)).toEqual([
      'Resources.DeadLetterQueuePolicy.Properties: missing required property Queues',
    ]);
    const wrongType = withResource('DeadLetterQueueNotEmptyAlarm', (p) => {
      p.EvaluationPeriods = 'one';
    });
    const errors = validator.validate(wrongType).join('\n');
    expect(errors).toMatch(/EvaluationPeriods: expected integer/);
  });

  it('fails misspelt SAM properties: function, event, API method settings, authorizer', () => {
    const fn = withResource('TelephonyHookFunction', (p) => {
      p.Runtim = p.Runtime;
      const events = p.Events as Record<string, { Properties: Record<string, unknown> }>;
      const hook = events.OktaTelephonyHook as { Properties: Record<string, unknown> };
      hook.Properties.Methd = hook.Properties.Method;
      delete hook.Properties.Method;
    });
    const fnErrors = validator.validate(fn).join('\n');
    expect(fnErrors).toMatch(/unknown property Runtim for AWS::Serverless::Function/);
    expect(fnErrors).toMatch(/unknown property Methd for ApiEvent/);
    expect(fnErrors).toMatch(/missing required property Method of ApiEvent/);

    const api = withResource('HookApi', (p) => {
      const [settings] = p.MethodSettings as Array<Record<string, unknown>>;
      if (settings) settings.CacheingEnabled = false;
      const auth = p.Auth as { Authorizers: Record<string, { Identity: Record<string, unknown> }> };
      (auth.Authorizers.OktaTokenAuthorizer as { Identity: Record<string, unknown> }).Identity.Headers = 'x';
    });
    const apiErrors = validator.validate(api).join('\n');
    expect(apiErrors).toMatch(/unknown property CacheingEnabled for MethodSetting/);
    expect(apiErrors).toMatch(/Identity: unknown property Headers/);
  });

  it('fails references to nothing', () => {
    const bad = withResource('HookLogGroup', (p) => {
      p.KmsKeyId = { 'Fn::GetAtt': ['DataKy', 'Arn'] };
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      p.LogGroupName = { 'Fn::Sub': '/aws/lambda/${StackNme}' };
    });
    const errors = validator.validate(bad).join('\n');
    expect(errors).toMatch(/GetAtt of unknown resource DataKy/);
    expect(errors).toMatch(/\$\{StackNme\} names nothing/);
  });
});
