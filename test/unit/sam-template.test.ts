import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samNodeOptions } from '../../scripts/build-lambdas';
import { type CfnResource, loadTemplate } from '../../scripts/cloudformation-yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const template = loadTemplate(`${root}template.yaml`);
const resources = template.Resources;

function ofType(type: string): Array<[string, CfnResource]> {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}
function props(id: string): Record<string, unknown> {
  const properties = resources[id]?.Properties;
  if (!properties) throw new Error(`template has no ${id}`);
  return properties;
}
const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of every policy document, with the Fn::If branches that may be deployed. */
function statementsOf(document: unknown): Statement[] {
  const list = (document as { Statement: unknown[] }).Statement;
  return list.flatMap((s) => {
    const branch = (s as { 'Fn::If'?: unknown[] })['Fn::If'];
    const candidates = branch ? branch.slice(1) : [s];
    return candidates.filter((c) => (c as { Ref?: string }).Ref !== 'AWS::NoValue') as Statement[];
  });
}
const actions = (s: Statement) => [s.Action].flat();

function rolePolicy(roleId: string): Statement[] {
  const policies = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::IAM::RolePolicy' &&
      JSON.stringify(r.Properties?.RoleName) === JSON.stringify(ref(roleId)),
  );
  return policies.flatMap((p) => statementsOf(p.Properties?.PolicyDocument));
}

describe('template.yaml: functions', () => {
  const functions = ofType('AWS::Serverless::Function');

  it('has the authorizers (Okta, Auth0), the hook and the optional Cognito trigger', () => {
    expect(functions.map(([id]) => id).sort()).toEqual([
      'Auth0AuthorizerFunction',
      'AuthorizerFunction',
      'CognitoSmsSenderFunction',
      'TelephonyHookFunction',
    ]);
  });

  it.each(functions)('%s: esbuild metadata, entry point exists, ESM, minified, no shipped map', (_id, fn) => {
    expect(fn.Metadata?.BuildMethod).toBe('esbuild');
    const build = fn.Metadata?.BuildProperties as Record<string, unknown>;
    const entryPoints = build.EntryPoints as string[];
    expect(entryPoints).toHaveLength(1);
    for (const entry of entryPoints) expect(existsSync(`${root}${entry}`), `${entry} exists`).toBe(true);
    expect(build).toMatchObject({
      Format: 'esm',
      OutExtension: ['.js=.mjs'],
      Minify: true,
      // SAM drops a boolean false, so a map would come with sourcesContent; and any truthy Sourcemap
      // makes sam build add --enable-source-maps, which reads the map at every cold start.
      Sourcemap: false,
      Target: 'node24',
    });
    expect(build.SourcesContent).toBeUndefined();
    // The handler module is the bundle of the entry point.
    const module = String(fn.Properties?.Handler).split('.')[0];
    expect(entryPoints[0]).toMatch(new RegExp(`/${module}\\.ts$`));
    // Not --enable-source-maps: reading the map costs ~20 ms of every cold start (npm run bench), and our
    // logs carry error names, never stacks; `npm run symbolicate` rebuilds the map offline.
    const environment = fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
    expect(environment?.Variables).toBeDefined();
    expect(environment?.Variables?.NODE_OPTIONS).toBeUndefined();
    // …and none is added by sam build.
    expect(samNodeOptions(fn)).toBe('');
  });

  it.each(functions)('%s: nodejs24.x on arm64, explicit role, explicit log group', (_id, fn) => {
    const p = fn.Properties ?? {};
    // nodejs22.x is deprecated on 2027-04-30, nodejs24.x on 2028-04-30; the bundle is the same bytes
    // for esbuild targets node20 to node24.
    expect(p.Runtime).toBe('nodejs24.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.Role).toMatchObject({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(p.Policies).toBeUndefined();
    const logGroup = (p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resources[logGroup]?.Type).toBe('AWS::Logs::LogGroup');
    expect(props(logGroup).RetentionInDays).toEqual(ref('LogRetentionDays'));
  });

  it('hook: timeout at most 3 s, memory from a parameter, deadline below it', () => {
    const hook = props('TelephonyHookFunction');
    expect(Number(hook.Timeout)).toBeLessThanOrEqual(3);
    expect(hook.MemorySize).toEqual(ref('HookMemorySize'));
    expect(Number(template.Parameters?.DeadlineMs?.MaxValue)).toBeLessThan(Number(hook.Timeout) * 1000);
  });

  it('the stack key rotates; the HMAC key is HMAC_256', () => {
    expect(props('DataKey').EnableKeyRotation).toBe(true);
    expect(props('FingerprintKey')).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  });

  it.each(ofType('AWS::DynamoDB::Table'))('%s: on-demand, PITR, SSE with the stack key', (_id, table) => {
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: ref('DataKey') },
    });
  });

  it('tables have the keys the adapters use; idempotency expires by TTL', () => {
    expect(props('TemplateTable').KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(props('IdempotencyTable').KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(props('IdempotencyTable').TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  it.each(ofType('AWS::SQS::Queue'))('%s: KMS with the stack key, 14 days', (_id, queue) => {
    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: ref('DataKey'),
      MessageRetentionPeriod: 1209600,
    });
  });

  it.each(ofType('AWS::Logs::LogGroup'))('%s: KMS-encrypted with a retention', (_id, group) => {
    expect(group.Properties).toMatchObject({
      KmsKeyId: arnOf('DataKey'),
      RetentionInDays: ref('LogRetentionDays'),
    });
  });

  it('CloudWatch Logs may use the key only for this stack’s three log groups', () => {
    const logs = statementsOf(props('DataKey').KeyPolicy).find((s) =>
      JSON.stringify(s.Principal).includes('logs.'),
    );
    const arns = logs?.Condition?.ArnEquals?.['kms:EncryptionContext:aws:logs:arn'] as Array<{
      'Fn::Sub': string;
    }>;
    const names = ofType('AWS::Logs::LogGroup').map(
      ([id]) => (props(id).LogGroupName as { 'Fn::Sub': string })['Fn::Sub'],
    );
    expect(arns.map((a) => a['Fn::Sub'].split(':log-group:')[1]).sort()).toEqual(names.sort());
  });
});

describe('template.yaml: least privilege', () => {
  // '*' is allowed only where AWS requires it, each with the reason.
  const STAR_ALLOWED: Record<string, string> = {
    'AWS::KMS::Key': "in a key policy Resource '*' means the key itself",
  };

  it('no IAM statement has Resource "*" outside key policies', () => {
    const offenders: string[] = [];
    for (const [id, r] of Object.entries(resources)) {
      const documents = [
        r.Properties?.PolicyDocument,
        r.Properties?.KeyPolicy,
        r.Properties?.AssumeRolePolicyDocument,
      ];
      for (const statement of documents.filter(Boolean).flatMap(statementsOf)) {
        const star = [statement.Resource].flat().includes('*') || statement.Action === '*';
        if (star && STAR_ALLOWED[r.Type] === undefined) offenders.push(`${id}/${statement.Sid ?? '?'}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('only the account-wide API Gateway logging role uses a managed policy (Resource "*", documented)', () => {
    const managed = ofType('AWS::IAM::Role').filter(([, r]) => r.Properties?.ManagedPolicyArns !== undefined);
    expect(managed.map(([id]) => id)).toEqual(['ApiGatewayLoggingRole']);
    expect(resources.ApiGatewayLoggingRole?.Condition).toBe('CreateApiGatewayAccount');
  });

  it('authorizers: write their own logs and nothing else', () => {
    const statements = rolePolicy('AuthorizerRole');
    expect(statements.flatMap(actions).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements.map((s) => s.Resource)).toEqual([
      [arnOf('AuthorizerLogGroup'), arnOf('Auth0AuthorizerLogGroup')],
    ]);
    expect(props('Auth0AuthorizerFunction').Role).toEqual(arnOf('AuthorizerRole'));
  });

  it('hook: exactly its actions on exactly its resources', () => {
    const byResource = new Map<string, string[]>();
    for (const s of rolePolicy('HookRole')) {
      const key = JSON.stringify(s.Resource);
      byResource.set(key, [...(byResource.get(key) ?? []), ...actions(s)].sort());
    }
    expect(byResource.get(JSON.stringify(arnOf('HookLogGroup')))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(byResource.get(JSON.stringify(arnOf('TemplateTable')))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    expect(byResource.get(JSON.stringify(arnOf('IdempotencyTable')))).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(byResource.get(JSON.stringify(arnOf('DeadLetterQueue')))).toEqual(['sqs:SendMessage']);
    expect(byResource.get(JSON.stringify(arnOf('FingerprintKey')))).toEqual(['kms:GenerateMac']);
    expect(byResource.get(JSON.stringify(ref('OriginationIdentityArns')))).toEqual([
      'sms-voice:SendTextMessage',
      'sms-voice:SendVoiceMessage',
    ]);
    // Twilio, when configured: its one secret, and its key only through Secrets Manager for that secret.
    expect(byResource.get(JSON.stringify(ref('TwilioCredentialsSecretArn')))).toEqual([
      'secretsmanager:GetSecretValue',
    ]);
    expect(byResource.get(JSON.stringify(ref('TwilioCredentialsKmsKeyArn')))).toEqual(['kms:Decrypt']);
    const allActions = rolePolicy('HookRole').flatMap(actions);
    expect(allActions.filter((a) => a.includes('*'))).toEqual([]);
    expect(allActions).not.toContain('dynamodb:Scan');
  });

  it('Twilio: optional, its secret read and its key used only when set, through Secrets Manager, for that secret', () => {
    const conditional = (props('HookPolicy').PolicyDocument as { Statement: unknown[] }).Statement.filter(
      (s) => (s as object) && 'Fn::If' in (s as object),
    ) as Array<{ 'Fn::If': [string, Statement, unknown] }>;
    const bySid = new Map(conditional.map((c) => [c['Fn::If'][1].Sid, c['Fn::If']]));
    expect(bySid.get('ReadTwilioCredentials')?.[0]).toBe('HasTwilio');
    const decrypt = bySid.get('DecryptTwilioCredentialsThroughSecretsManager');
    expect(decrypt?.[0]).toBe('HasTwilioKmsKey');
    expect(decrypt?.[1].Condition?.StringEquals).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation substitution, not JavaScript.
      'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' },
      'kms:EncryptionContext:SecretARN': ref('TwilioCredentialsSecretArn'),
    });
    const secret = template.Parameters?.TwilioCredentialsSecretArn as {
      Default: string;
      AllowedPattern: string;
    };
    expect(secret.Default).toBe('');
    const pattern = new RegExp(secret.AllowedPattern);
    expect(pattern.test('')).toBe(true);
    expect(
      pattern.test('arn:aws:secretsmanager:eu-west-1:111122223333:secret:otp-courier/twilio-AbC123'),
    ).toBe(true);
    // A partial ARN (no suffix) or a wildcard would widen the grant.
    expect(pattern.test('arn:aws:secretsmanager:eu-west-1:111122223333:secret:otp-courier/twilio')).toBe(
      false,
    );
    expect(pattern.test('arn:aws:secretsmanager:eu-west-1:111122223333:secret:*')).toBe(false);
    const hook = props('TelephonyHookFunction').Environment as { Variables: Record<string, unknown> };
    expect(hook.Variables.TWILIO_CREDENTIALS_SECRET_ARN).toEqual({
      'Fn::If': ['HasTwilio', ref('TwilioCredentialsSecretArn'), ref('AWS::NoValue')],
    });
  });

  it('hook: KMS use on the stack key is conditioned (sealing context, or through DynamoDB / SQS only)', () => {
    const onDataKey = rolePolicy('HookRole').filter(
      (s) => JSON.stringify(s.Resource) === JSON.stringify(arnOf('DataKey')),
    );
    for (const s of onDataKey) expect(s.Condition, s.Sid).toBeDefined();
    const sealing = onDataKey.find((s) => actions(s).join() === 'kms:Encrypt' && s.Condition?.Null);
    expect(sealing?.Condition).toEqual({ Null: { 'kms:EncryptionContext:eventId': 'false' } });
    const via = onDataKey.map((s) => JSON.stringify(s.Condition?.StringEquals?.['kms:ViaService'] ?? null));
    expect(via.filter((v) => v.includes('dynamodb.'))).toHaveLength(1);
    expect(via.filter((v) => v.includes('sqs.'))).toHaveLength(1);
  });

  it('sms-voice: text and voice sends only from the configured origination identities', () => {
    // Service Authorization Reference (End User Messaging SMS and Voice V2): both actions are
    // authorised against the origination identity (phone-number, pool; sender-id for text), never
    // against a configuration set or protect configuration.
    const sends = rolePolicy('HookRole').filter((s) => actions(s).some((a) => a.startsWith('sms-voice:')));
    expect(sends.map((s) => [actions(s).join(), s.Resource])).toEqual([
      ['sms-voice:SendTextMessage', ref('OriginationIdentityArns')],
      ['sms-voice:SendVoiceMessage', ref('OriginationIdentityArns')],
    ]);
    expect(JSON.stringify(props('HookPolicy'))).not.toMatch(/configuration-set|protect-configuration/);
  });

  it("the stack's brakes protect configuration exists when no protect configuration is named (issue 14)", () => {
    expect(resources.BrakesProtectConfiguration?.Condition).toBe('CreateBrakesProtectConfiguration');
  });

  it('key policies name the function roles, not the whole account, for data use', () => {
    const dataKey = statementsOf(props('DataKey').KeyPolicy);
    const rootCrypto = dataKey.filter(
      (s) =>
        JSON.stringify(s.Principal).includes(':root') &&
        actions(s).some((a) => /Decrypt|Encrypt|GenerateDataKey/.test(a)),
    );
    // The account may use data actions only through DynamoDB/SQS or to unseal an eventId-sealed OTP.
    for (const s of rootCrypto) expect(s.Condition, s.Sid).toBeDefined();
    const hookStatements = dataKey.filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ AWS: arnOf('HookRole') }),
    );
    expect(hookStatements.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(props('DataKey').KeyPolicy)).not.toContain('AuthorizerRole');
    const mac = statementsOf(props('FingerprintKey').KeyPolicy).find((s) =>
      actions(s).includes('kms:GenerateMac'),
    );
    expect(mac?.Principal).toEqual({ AWS: arnOf('HookRole') });
  });
});

describe('template.yaml: API, authorizer and WAF', () => {
  const api = props('HookApi');

  it('POST /okta/telephony-hook and POST /auth0/phone-message reach the hook, each with its TOKEN authorizer', () => {
    const events = props('TelephonyHookFunction').Events as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const routes = Object.values(events).filter((e) => e.Type === 'Api');
    expect(routes).toEqual([
      {
        Type: 'Api',
        Properties: {
          RestApiId: ref('HookApi'),
          Path: '/okta/telephony-hook',
          Method: 'post',
          Auth: { Authorizer: 'OktaTokenAuthorizer' },
        },
      },
      {
        Type: 'Api',
        Properties: {
          RestApiId: ref('HookApi'),
          Path: '/auth0/phone-message',
          Method: 'post',
          Auth: { Authorizer: 'Auth0TokenAuthorizer' },
        },
      },
    ]);
    const auth = api.Auth as {
      DefaultAuthorizer: string;
      Authorizers: Record<string, Record<string, unknown>>;
    };
    expect(auth.DefaultAuthorizer).toBe('OktaTokenAuthorizer');
    expect(auth.Authorizers.OktaTokenAuthorizer).toMatchObject({
      FunctionPayloadType: 'TOKEN',
      FunctionArn: arnOf('AuthorizerFunction'),
      Identity: { Header: 'Authorization', ReauthorizeEvery: ref('AuthorizerResultTtlSeconds') },
    });
    // 60 s of API Gateway cache + 240 s of key set in the authorizer = the 300 s revocation window.
    expect(template.Parameters?.AuthorizerResultTtlSeconds?.Default).toBe(60);
    // Auth0's route: the same authorizer code with the Auth0 profile, its own API Gateway authorizer
    // (a cached Allow for an Okta token never opens it), the same identity rules.
    expect(auth.Authorizers.Auth0TokenAuthorizer).toEqual({
      ...auth.Authorizers.OktaTokenAuthorizer,
      FunctionArn: arnOf('Auth0AuthorizerFunction'),
    });
    expect(resources.Auth0AuthorizerFunction?.Metadata).toEqual(resources.AuthorizerFunction?.Metadata);
  });

  it('Auth0 is optional: off by default, its authorizer then refuses every call; on, it needs its tenant', () => {
    expect(template.Parameters?.EnableAuth0).toMatchObject({
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    const variables = (props('Auth0AuthorizerFunction').Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables.AUTH_MODE).toEqual({ 'Fn::If': ['Auth0Enabled', 'oauth', 'disabled'] });
    expect(variables.TOKEN_PROFILE).toBe('auth0');
    for (const name of ['AUTH0_ISSUER', 'AUTH0_AUDIENCE', 'AUTH0_CLIENT_IDS', 'AUTH0_SCOPE']) {
      expect(variables[name]).toMatchObject({
        'Fn::If': ['Auth0Enabled', expect.anything(), ref('AWS::NoValue')],
      });
    }
    const rule = (template as { Rules?: Record<string, { Assertions: { AssertDescription: string }[] }> })
      .Rules?.Auth0NeedsItsTenant;
    expect(rule?.Assertions.map((a) => a.AssertDescription)).toEqual([
      'Auth0Issuer is required when EnableAuth0 is true',
      'Auth0Audience is required when EnableAuth0 is true',
      'Auth0ClientIds is required when EnableAuth0 is true',
    ]);
    expect(
      (template as { Outputs?: Record<string, { Condition?: string }> }).Outputs?.Auth0PhoneMessageUrl
        ?.Condition,
    ).toBe('Auth0Enabled');
  });

  it('the authorizer’s validation expression accepts a JWT bearer and refuses anything else', () => {
    const auth = api.Auth as { Authorizers: Record<string, { Identity: { ValidationExpression: string } }> };
    const expression = new RegExp(
      (auth.Authorizers.OktaTokenAuthorizer as { Identity: { ValidationExpression: string } }).Identity
        .ValidationExpression,
    );
    expect(expression.test('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLV8')).toBe(true);
    expect(expression.test('Basic dXNlcjpwYXNz')).toBe(false);
    expect(expression.test('Bearer not-a-jwt')).toBe(false);
  });

  it('no API cache: cache cluster off and caching disabled for every method', () => {
    expect(api.CacheClusterEnabled).toBe(false);
    const settings = api.MethodSettings as Array<Record<string, unknown>>;
    expect(settings).toEqual([
      expect.objectContaining({
        ResourcePath: '/*',
        HttpMethod: '*',
        CachingEnabled: false,
        DataTraceEnabled: false,
      }),
    ]);
  });

  it('stage throttling and access logs (no body, no Authorization header)', () => {
    const [settings] = api.MethodSettings as Array<Record<string, unknown>>;
    expect(settings).toMatchObject({
      ThrottlingRateLimit: ref('ApiThrottlingRateLimit'),
      ThrottlingBurstLimit: ref('ApiThrottlingBurstLimit'),
    });
    const access = api.AccessLogSetting as { DestinationArn: unknown; Format: string };
    expect(access.DestinationArn).toEqual(arnOf('ApiAccessLogGroup'));
    const format = JSON.parse(access.Format.replaceAll(/\$context\.[A-Za-z.]+/g, '0')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(format)).toEqual(expect.arrayContaining(['requestId', 'status', 'errorType', 'ip']));
    expect(access.Format).not.toMatch(/body|authorization/i);
  });

  it('WAF web ACL is associated with the API stage', () => {
    const association = props('HookWebAclAssociation');
    expect(association.WebACLArn).toEqual(arnOf('HookWebAcl'));
    expect((association.ResourceArn as { 'Fn::Sub': string })['Fn::Sub']).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      'arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${HookApi}/stages/${HookApi.Stage}',
    );
  });

  it('WAF rules: managed groups, per-IP rate limit, body size, optional Okta allow-list', () => {
    const acl = props('HookWebAcl');
    expect(acl.Scope).toBe('REGIONAL');
    const rules = (acl.Rules as Array<Record<string, unknown>>).map(
      (r) => ((r['Fn::If'] as unknown[] | undefined)?.[1] ?? r) as Record<string, { [k: string]: unknown }>,
    );
    const managed = rules
      .map((r) => (r.Statement?.ManagedRuleGroupStatement as { Name?: string } | undefined)?.Name)
      .filter(Boolean);
    expect(managed.sort()).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    const rate = rules.find((r) => r.Statement?.RateBasedStatement)?.Statement?.RateBasedStatement;
    expect(rate).toEqual({ Limit: ref('WafRateLimitPerIp'), AggregateKeyType: 'IP' });
    const size = rules.find((r) => r.Statement?.SizeConstraintStatement)?.Statement?.SizeConstraintStatement;
    expect(size).toMatchObject({
      ComparisonOperator: 'GT',
      Size: ref('MaxBodyBytes'),
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
    });
    const priorities = rules.map((r) => r.Priority);
    expect(new Set(priorities).size).toBe(priorities.length);
    // Allow-list: a conditional rule and IP set, off when the parameter is empty.
    expect((acl.Rules as Array<Record<string, unknown[]>>)[0]?.['Fn::If']?.[0]).toBe('HasOktaIpAllowList');
    expect(resources.OktaIpSet?.Condition).toBe('HasOktaIpAllowList');
    expect(template.Parameters?.OktaIpAllowList?.Default).toBe('');
  });

  it("each IdP's IP allow-list guards only its own route: Okta's never blocks Auth0's Actions, and back", () => {
    const ifRule = (condition: string) =>
      (
        (props('HookWebAcl').Rules as Array<Record<string, unknown[]>>).find(
          (r) => r['Fn::If']?.[0] === condition,
        )?.['Fn::If'] as unknown[]
      )?.[1] as { Statement: { AndStatement: { Statements: Record<string, unknown>[] } } };
    const auth0Path = {
      ByteMatchStatement: {
        FieldToMatch: { UriPath: {} },
        PositionalConstraint: 'ENDS_WITH',
        SearchString: '/auth0/phone-message',
        TextTransformations: [{ Priority: 0, Type: 'NONE' }],
      },
    };
    expect(ifRule('HasOktaIpAllowList').Statement.AndStatement.Statements).toEqual([
      { NotStatement: { Statement: { IPSetReferenceStatement: { Arn: arnOf('OktaIpSet') } } } },
      { NotStatement: { Statement: auth0Path } },
    ]);
    expect(ifRule('HasAuth0IpAllowList').Statement.AndStatement.Statements).toEqual([
      { NotStatement: { Statement: { IPSetReferenceStatement: { Arn: arnOf('Auth0IpSet') } } } },
      auth0Path,
    ]);
    expect(resources.Auth0IpSet?.Condition).toBe('HasAuth0IpAllowList');
    expect(template.Parameters?.Auth0IpAllowList?.Default).toBe('');
  });
});

describe('template.yaml: alarms, parameters, outputs', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm');
  const find = (metric: string) =>
    alarms.find(([, a]) => a.Properties?.MetricName === metric)?.[1].Properties;

  it('DLQ not empty, hook errors, hook p99 > 2 s, authorizer denials', () => {
    expect(find('ApproximateNumberOfMessagesVisible')).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const hookErrors = alarms.find(
      ([, a]) =>
        a.Properties?.MetricName === 'Errors' &&
        JSON.stringify(a.Properties.Dimensions).includes('TelephonyHookFunction'),
    );
    expect(hookErrors).toBeDefined();
    expect(find('Duration')).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 2000 });
    expect(find('AuthorizerDenials')).toMatchObject({ Threshold: ref('AuthorizerDenialsThreshold') });
    expect(props('AuthorizerDenialsMetricFilter').FilterPattern).toMatch(/UNAUTHORIZED/);
  });

  it.each(alarms)('%s notifies the optional SNS topic', (_id, alarm) => {
    expect(alarm.Properties?.AlarmActions).toEqual({
      'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], ref('AWS::NoValue')],
    });
  });

  it('parameters for Okta, brand, origination identities and the deadline', () => {
    expect(Object.keys(template.Parameters ?? {})).toEqual(
      expect.arrayContaining([
        'OktaIssuer',
        'OktaAudience',
        'OktaClientIds',
        'OktaScope',
        'BrandName',
        'OriginationIdentities',
        'OriginationIdentityArns',
        'DeadlineMs',
        'HookMemorySize',
        'AlarmTopicArn',
      ]),
    );
    expect(template.Parameters?.DeadlineMs?.Default).toBe(2500);
  });

  it('outputs the hook URL, table names and queue URL', () => {
    const outputs = template.Outputs ?? {};
    expect((outputs.HookUrl?.Value as { 'Fn::Sub': string } | undefined)?.['Fn::Sub']).toMatch(
      /^https:\/\/\$\{HookApi\}\.execute-api\..*\/\$\{ApiStageName\}\/okta\/telephony-hook$/,
    );
    expect(outputs.TemplateTableName?.Value).toEqual(ref('TemplateTable'));
    expect(outputs.IdempotencyTableName?.Value).toEqual(ref('IdempotencyTable'));
    expect(outputs.DeadLetterQueueUrl?.Value).toEqual(ref('DeadLetterQueue'));
  });
});

describe('template.yaml: keys, kept data and checked inputs', () => {
  /** Whether an IAM action pattern (with * and ?) covers an action, case-insensitively as IAM does. */
  const covers = (pattern: string, action: string) =>
    new RegExp(`^${pattern.replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i').test(action);

  it.each(ofType('AWS::KMS::Key'))(
    '%s: only an AWS service may create a grant (no Decrypt by grant)',
    (_id, key) => {
      const granting = statementsOf(key.Properties?.KeyPolicy).filter(
        (s) => s.Effect === 'Allow' && actions(s).some((a) => covers(a, 'kms:CreateGrant')),
      );
      for (const s of granting) {
        expect(s.Condition?.Bool?.['kms:GrantIsForAWSResource'], s.Sid).toBe('true');
      }
      // The administrators' statement names its actions; none of them is a grant.
      const admin = statementsOf(key.Properties?.KeyPolicy).find((s) => s.Sid === 'AccountAdministersTheKey');
      expect(actions(admin as Statement).filter((a) => covers(a, 'kms:CreateGrant'))).toEqual([]);
      expect(
        actions(admin as Statement).filter((a) => /Decrypt|Encrypt|GenerateDataKey|GenerateMac/.test(a)),
      ).toEqual([]);
    },
  );

  it('the stack key lets DynamoDB, and nothing else, create grants for the tables', () => {
    const granting = statementsOf(props('DataKey').KeyPolicy).filter((s) =>
      actions(s).some((a) => covers(a, 'kms:CreateGrant')),
    );
    expect(granting).toHaveLength(1);
    expect(JSON.stringify(granting[0]?.Condition?.StringEquals?.['kms:ViaService'])).toContain('dynamodb.');
  });

  // Snapshot is not a deletion policy these types support (EC2 volumes, RDS, ElastiCache, Redshift, Neptune, DocDB do).
  const STATEFUL = ['AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::KMS::Key'];

  it.each(Object.entries(resources).filter(([, r]) => STATEFUL.includes(r.Type)))(
    '%s: kept when the stack is deleted or the resource replaced',
    (_id, resource) => {
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    },
  );

  it('covers the template table, the idempotency table, the queue and both keys', () => {
    const kept = Object.entries(resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .map(([id]) => id);
    expect(kept).toEqual(
      expect.arrayContaining([
        'TemplateTable',
        'IdempotencyTable',
        'DeadLetterQueue',
        'DataKey',
        'FingerprintKey',
      ]),
    );
    // Named log groups are not kept: a kept one would make the next deploy of the same stack fail.
    for (const [id] of ofType('AWS::Logs::LogGroup')) expect(resources[id]?.DeletionPolicy).toBeUndefined();
  });

  describe('OriginationIdentityArns: each item must be an origination identity ARN', () => {
    const parameter = template.Parameters?.OriginationIdentityArns as {
      AllowedPattern: string;
      Type: string;
    };
    // CloudFormation applies a CommaDelimitedList's AllowedPattern to every item.
    const allowed = (value: string) => new RegExp(parameter.AllowedPattern).test(value);

    it('is a list with a pattern', () => {
      expect(parameter.Type).toBe('CommaDelimitedList');
      expect(typeof parameter.AllowedPattern).toBe('string');
    });

    it.each([
      'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1234567890abcdef1234567890abcdef',
      'arn:aws:sms-voice:eu-west-2:111122223333:pool/pool-2a15b2be68394d1e9b3d9d1b21a2f8c8',
      'arn:aws:sms-voice:eu-central-1:111122223333:sender-id/ACME-OTP/DE',
      'arn:aws-us-gov:sms-voice:us-gov-west-1:111122223333:phone-number/phone-abc',
      'arn:aws-cn:sms-voice:cn-north-1:111122223333:pool/pool-abc',
    ])('accepts %s', (arn) => {
      expect(allowed(arn)).toBe(true);
    });

    it.each([
      '+12065550100',
      'phone-1234567890abcdef1234567890abcdef',
      'MySenderId',
      '*',
      'arn:aws:sms-voice:us-east-1:111122223333:*',
      'arn:aws:sms-voice:*:*:phone-number/*',
      'arn:aws:sms-voice:us-east-1:111122223333:configuration-set/otp',
      'arn:aws:sms-voice:us-east-1:111122223333:sender-id/ThisIsTooLongForAnId/US',
      'arn:aws:sms-voice:us-east-1:111122223333:sender-id/ACME',
      'arn:aws:sns:us-east-1:111122223333:phone-number/phone-1',
      'arn:aws:sms-voice:us-east-1:1111:phone-number/phone-1',
      ' arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1',
    ])('refuses %s', (value) => {
      expect(allowed(value)).toBe(false);
    });

    it('accepts every well-formed identity ARN and nothing with a wildcard or whitespace', () => {
      const region = fc.constantFrom(
        'us-east-1',
        'eu-west-3',
        'ap-southeast-2',
        'ca-central-1',
        'us-gov-east-1',
      );
      const account = fc.stringMatching(/^[0-9]{12}$/);
      const resource = fc.oneof(
        fc.stringMatching(/^[0-9a-f]{32}$/).map((id) => `phone-number/phone-${id}`),
        fc.stringMatching(/^[0-9a-f]{32}$/).map((id) => `pool/pool-${id}`),
        fc
          .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,11}$/), fc.stringMatching(/^[A-Z]{2}$/))
          .map(([id, country]) => `sender-id/${id}/${country}`),
      );
      fc.assert(
        fc.property(
          fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
          region,
          account,
          resource,
          (p, r, a, res) => allowed(`arn:${p}:sms-voice:${r}:${a}:${res}`),
        ),
      );
      fc.assert(
        fc.property(fc.string(), fc.constantFrom('*', ' ', '\n', '?'), fc.string(), (before, bad, after) => {
          return !allowed(
            `arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-${before}${bad}${after}`,
          );
        }),
      );
    });
  });
});

describe('template.yaml: the Cognito CustomSMSSender trigger', () => {
  const cognito = [
    'CognitoSenderKey',
    'CognitoSenderKeyAlias',
    'CognitoSmsSenderLogGroup',
    'CognitoSmsSenderPolicy',
    'CognitoSmsSenderFunction',
    'CognitoSmsSenderInvokePermission',
    'CognitoSmsSenderErrorsAlarm',
  ];
  const poolArn = {
    'Fn::Sub':
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      'arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/${CognitoUserPoolId}',
  };

  it('is optional: every resource of it exists only when EnableCognitoSmsSender is "true", off by default', () => {
    for (const id of cognito) expect(resources[id]?.Condition, id).toBe('CreateCognitoSmsSender');
    expect(template.Parameters?.EnableCognitoSmsSender?.Default).toBe('false');
    expect(template.Conditions?.CreateCognitoSmsSender).toEqual({
      'Fn::Equals': [ref('EnableCognitoSmsSender'), 'true'],
    });
  });

  it('only the configured user pool of this account may invoke it', () => {
    expect(props('CognitoSmsSenderInvokePermission')).toEqual({
      FunctionName: arnOf('CognitoSmsSenderFunction'),
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: poolArn,
      SourceAccount: ref('AWS::AccountId'),
    });
  });

  it('its key: Cognito encrypts for that pool only, the trigger decrypts, nobody else uses it', () => {
    const statements = statementsOf(props('CognitoSenderKey').KeyPolicy);
    const service = statements.filter((s) => JSON.stringify(s.Principal).includes('cognito-idp'));
    expect(service).toHaveLength(1);
    expect(service[0]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
      ArnLike: { 'aws:SourceArn': poolArn },
    });
    expect(actions(service[0] as Statement)).not.toContain('kms:Decrypt');
    const decrypt = statements.filter((s) => actions(s).includes('kms:Decrypt'));
    expect(decrypt.map((s) => s.Principal)).toEqual([{ AWS: arnOf('HookRole') }]);
    expect(props('CognitoSenderKey').EnableKeyRotation).toBe(true);
  });

  it('runs the hook core with the hook role, plus its own logs and decrypt on its key', () => {
    const fn = props('CognitoSmsSenderFunction');
    expect(fn.Role).toEqual(arnOf('HookRole'));
    expect(fn.Handler).toBe('cognito-sms-sender.handler');
    expect(Number(fn.Timeout)).toBeLessThanOrEqual(15);
    expect(fn.EventInvokeConfig).toMatchObject({ MaximumRetryAttempts: 2 });
    const policy = statementsOf(props('CognitoSmsSenderPolicy').PolicyDocument);
    expect(policy.map((s) => [actions(s).sort(), s.Resource])).toEqual([
      [['logs:CreateLogStream', 'logs:PutLogEvents'], arnOf('CognitoSmsSenderLogGroup')],
      [['kms:Decrypt'], arnOf('CognitoSenderKey')],
    ]);
    expect(template.Outputs?.CognitoSmsSenderArn?.Value).toEqual(arnOf('CognitoSmsSenderFunction'));
    expect(template.Outputs?.CognitoSenderKeyArn?.Value).toEqual(arnOf('CognitoSenderKey'));
  });
});
