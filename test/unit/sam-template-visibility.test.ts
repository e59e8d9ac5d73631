import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { messageTableDefinition } from '../../adapters/dynamodb/message-table';
import { PHONE_VERIFICATION_EVENT_TYPES, parseOktaEventHookBody } from '../../adapters/okta/okta-event-hook';
import { TWILIO_STATUS_PATH } from '../../app/local/local-stack';
import { METRIC_CATALOGUE } from '../../app/metric-catalogue';
import { loadTemplate } from '../../scripts/cloudformation-yaml';

/**
 * Delivery visibility in template.yaml (issue 15): the messages table as the adapter creates it, the
 * configuration set → SNS → receipts path, the event hook's route and least privilege, the dashboard
 * reading only metrics the code publishes, and the rate alarms.
 */
const template = loadTemplate(fileURLToPath(new URL('../../template.yaml', import.meta.url)));
const resources = template.Resources;
const props = (id: string) => {
  const p = resources[id]?.Properties;
  if (!p) throw new Error(`template has no ${id}`);
  return p as Record<string, unknown>;
};
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
function statements(policyId: string): Statement[] {
  return (props(policyId).PolicyDocument as { Statement: Statement[] }).Statement;
}
/** action → resources, sorted, for a role policy: exactly what the function may do. */
function grants(policyId: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  // Conditional statements (Fn::If) are read by their own tests.
  for (const s of statements(policyId).filter((s) => s.Action !== undefined)) {
    for (const action of [s.Action].flat()) {
      out[action] = [...(out[action] ?? []), JSON.stringify(s.Resource)].sort();
    }
  }
  return out;
}

describe('template.yaml: the messages table', () => {
  it('has the keys, indexes and projections the ledger adapter creates locally, TTL on ttl', () => {
    const local = messageTableDefinition('messages');
    const table = props('MessagesTable');
    expect(table.KeySchema).toEqual(local.KeySchema);
    expect(new Set(table.AttributeDefinitions as unknown[])).toEqual(new Set(local.AttributeDefinitions));
    expect(table.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(resources.MessagesTable?.DeletionPolicy).toBe('Retain');
  });
});

describe('template.yaml: delivery receipts', () => {
  it('the stack’s configuration set publishes the settling events to the encrypted topic, with message feedback', () => {
    const set = props('MessagingConfigurationSet');
    expect(set.MessageFeedbackEnabled).toBe(true);
    const [destination] = set.EventDestinations as Array<Record<string, unknown>>;
    expect(destination).toMatchObject({
      Enabled: true,
      SnsDestination: { TopicArn: ref('DeliveryEventsTopic') },
    });
    const types = destination?.MatchingEventTypes as string[];
    for (const t of [
      'TEXT_DELIVERED',
      'TEXT_BLOCKED',
      'TEXT_SPAM',
      'TEXT_TTL_EXPIRED',
      'VOICE_ANSWERED',
      'VOICE_NO_ANSWER',
    ])
      expect(types).toContain(t);
    expect(types).not.toContain('TEXT_SENT');
    expect(props('DeliveryEventsTopic').KmsMasterKeyId).toEqual(ref('DataKey'));
  });

  it('only End User Messaging of this account publishes to the topic, and may use the key for it', () => {
    const [publish] = (props('DeliveryEventsTopicPolicy').PolicyDocument as { Statement: Statement[] })
      .Statement;
    expect(publish).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'sms-voice.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
    });
    expect(JSON.stringify(publish?.Condition?.ArnLike)).toContain(':configuration-set/*');
    const key = (props('DataKey').KeyPolicy as { Statement: Statement[] }).Statement.find((s) =>
      JSON.stringify(s.Principal).includes('sms-voice'),
    );
    expect([key?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(key?.Condition?.StringEquals?.['aws:SourceAccount']).toEqual(ref('AWS::AccountId'));
  });

  it('the receipts function is subscribed, parks what it cannot record, and may only update messages', () => {
    const fn = props('DeliveryReceiptsFunction');
    expect(fn.Events).toEqual({
      DeliveryEvents: { Type: 'SNS', Properties: { Topic: ref('DeliveryEventsTopic') } },
    });
    expect(fn.DeadLetterQueue).toEqual({ Type: 'SQS', TargetArn: arnOf('ReceiptsDeadLetterQueue') });
    expect(grants('ReceiptsPolicy')).toEqual({
      'logs:CreateLogStream': [JSON.stringify(arnOf('ReceiptsLogGroup'))],
      'logs:PutLogEvents': [JSON.stringify(arnOf('ReceiptsLogGroup'))],
      'dynamodb:UpdateItem': [JSON.stringify(arnOf('MessagesTable'))],
      'kms:Decrypt': [JSON.stringify(arnOf('DataKey')), JSON.stringify(arnOf('DataKey'))],
      'kms:Encrypt': [JSON.stringify(arnOf('DataKey'))],
      'kms:GenerateDataKey': [JSON.stringify(arnOf('DataKey')), JSON.stringify(arnOf('DataKey'))],
      'kms:DescribeKey': [JSON.stringify(arnOf('DataKey'))],
      'sqs:SendMessage': [JSON.stringify(arnOf('ReceiptsDeadLetterQueue'))],
    });
  });

  it('the hook sends through the stack’s configuration set unless told another, with feedback records', () => {
    const env = (props('TelephonyHookFunction').Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.CONFIGURATION_SET_NAME).toEqual({
      'Fn::If': ['HasConfigurationSet', ref('ConfigurationSetName'), ref('MessagingConfigurationSet')],
    });
    expect(env.MESSAGE_FEEDBACK).toBe('true');
    expect(env.MESSAGES_TABLE).toEqual(ref('MessagesTable'));
  });
});

describe('template.yaml: the Okta event hook', () => {
  it('GET (verification) and POST (events) on /okta/event-hook, without the token authorizer', () => {
    const events = props('OktaEventHookFunction').Events as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const routes = Object.values(events).map((e) => `${e.Properties.Method} ${e.Properties.Path}`);
    expect(routes.sort()).toEqual(['get /okta/event-hook', 'post /okta/event-hook']);
    for (const e of Object.values(events)) {
      expect(e.Type).toBe('Api');
      expect(e.Properties.RestApiId).toEqual(ref('HookApi'));
      expect(e.Properties.Auth).toEqual({ Authorizer: 'NONE' });
    }
    // Okta's 3 s, with room for a cold start's secret fetch.
    expect(Number(props('OktaEventHookFunction').Timeout)).toBeLessThanOrEqual(5);
  });

  it('exactly its actions: its user-id index, its secret, the fingerprint key, feedback on messages only', () => {
    const g = grants('EventHookPolicy');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    expect(g['dynamodb:Query']).toEqual([JSON.stringify({ 'Fn::Sub': '${MessagesTable.Arn}/index/byUser' })]);
    expect(g['dynamodb:GetItem']).toEqual([JSON.stringify(arnOf('MessagesTable'))]);
    expect(g['dynamodb:UpdateItem']).toEqual([JSON.stringify(arnOf('MessagesTable'))]);
    expect(g['secretsmanager:GetSecretValue']).toEqual([JSON.stringify(ref('EventHookSecret'))]);
    expect(g['kms:GenerateMac']).toEqual([JSON.stringify(arnOf('FingerprintKey'))]);
    expect(g['sms-voice:PutMessageFeedback']).toEqual([
      JSON.stringify({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
        'Fn::Sub': 'arn:${AWS::Partition}:sms-voice:${AWS::Region}:${AWS::AccountId}:message/*',
      }),
    ]);
    expect(Object.keys(g).filter((a) => a.includes('*'))).toEqual([]);
    const fingerprintKey = (props('FingerprintKey').KeyPolicy as { Statement: Statement[] }).Statement;
    expect(fingerprintKey.some((s) => JSON.stringify(s.Principal).includes('EventHookRole'))).toBe(true);
  });

  it('the subscribed event types are the ones the parser reads', () => {
    const output =
      (template.Outputs as Record<string, { Description?: string }>).EventHookUrl?.Description ?? '';
    for (const type of PHONE_VERIFICATION_EVENT_TYPES) expect(output).toContain(type);
    expect(
      parseOktaEventHookBody(JSON.stringify({ eventType: 'com.okta.event_hook', data: { events: [] } })),
    ).toEqual({
      verifications: [],
      ignored: 0,
      unreadable: 0,
    });
  });

  it('the sweep runs every five minutes and may only find and settle awaiting messages', () => {
    expect(props('SettleUnconfirmedFunction').Events).toEqual({
      EveryFiveMinutes: { Type: 'Schedule', Properties: { Schedule: 'rate(5 minutes)' } },
    });
    const g = grants('SettlePolicy');
    expect(g['dynamodb:Query']).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      JSON.stringify({ 'Fn::Sub': '${MessagesTable.Arn}/index/awaiting' }),
    ]);
    expect(g['dynamodb:UpdateItem']).toEqual([JSON.stringify(arnOf('MessagesTable'))]);
  });
});

describe('template.yaml: Twilio status callbacks', () => {
  it('exist only with Twilio: POST /twilio/status without the token authorizer, as the local stack serves it', () => {
    for (const id of [
      'TwilioStatusFunction',
      'TwilioStatusRole',
      'TwilioStatusPolicy',
      'TwilioStatusLogGroup',
    ]) {
      expect(resources[id]?.Condition, id).toBe('HasTwilio');
    }
    const events = props('TwilioStatusFunction').Events as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    expect(Object.values(events)).toEqual([
      {
        Type: 'Api',
        Properties: {
          RestApiId: ref('HookApi'),
          Path: TWILIO_STATUS_PATH,
          Method: 'post',
          Auth: { Authorizer: 'NONE' },
        },
      },
    ]);
    const env = (props('TwilioStatusFunction').Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.TWILIO_CREDENTIALS_SECRET_ARN).toEqual(ref('TwilioCredentialsSecretArn'));
    expect(env.MESSAGES_TABLE).toEqual(ref('MessagesTable'));
    // The URL Twilio signs: the same value the hook gives Twilio as StatusCallback.
    const hookEnv = (props('TelephonyHookFunction').Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.TWILIO_STATUS_CALLBACK_URL).toEqual(hookEnv.TWILIO_STATUS_CALLBACK_URL);
    const output = (template.Outputs as Record<string, { Value: unknown; Condition?: string }>)
      .TwilioStatusUrl;
    expect(output?.Condition).toBe('HasTwilio');
    expect(JSON.stringify(output?.Value)).toContain(`${TWILIO_STATUS_PATH}"`);
  });

  it('exactly its actions: update messages, read the Twilio secret (and its key through Secrets Manager)', () => {
    const g = grants('TwilioStatusPolicy');
    expect(Object.keys(g).sort()).toEqual([
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
    ]);
    expect(g['dynamodb:UpdateItem']).toEqual([JSON.stringify(arnOf('MessagesTable'))]);
    expect(g['secretsmanager:GetSecretValue']).toEqual([JSON.stringify(ref('TwilioCredentialsSecretArn'))]);
    const conditional = statements('TwilioStatusPolicy').filter((s) => s.Action === undefined);
    expect(JSON.stringify(conditional)).toContain('"HasTwilioKmsKey"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    expect(JSON.stringify(conditional)).toContain('secretsmanager.${AWS::Region}.amazonaws.com');
  });

  it("Okta's IP allow list does not block Twilio's callbacks (Twilio publishes no webhook ranges)", () => {
    const rules = (props('HookWebAcl').Rules as Record<string, unknown[]>[])
      .map((r) => (r['Fn::If'] ? (r['Fn::If'][1] as Record<string, unknown>) : r))
      .filter((r) => r.Name === 'BlockOutsideOktaIpRanges');
    expect(rules).toHaveLength(1);
    const text = JSON.stringify(rules[0]);
    expect(text).toContain('"SearchString":"/twilio/status"');
    expect(text).toContain('OktaIpSet');
  });
});

describe('template.yaml: dashboard and rate alarms', () => {
  const body = JSON.parse((props('Dashboard').DashboardBody as { 'Fn::Sub': string })['Fn::Sub']) as {
    widgets: { type: string; properties: { title?: string; metrics?: unknown[][] } }[];
  };
  const titles = body.widgets.map((w) => w.properties.title ?? '');

  it('shows sends, delivery rate, conversion rate and cost by country, reply-time percentiles, dead letters, refusals', () => {
    for (const needle of [
      /Requests by outcome/,
      /Sent by country/,
      /Delivery rate by country/,
      /Conversion rate by country/,
      /Cost by country, billed/,
      /Reply time/,
      /Dead letters/,
      /Refusals/,
    ])
      expect(
        titles.some((t) => needle.test(t)),
        String(needle),
      ).toBe(true);
    const reply = body.widgets.find((w) => /Reply time/.test(w.properties.title ?? ''));
    const stats = (reply?.properties.metrics ?? []).map((m) => (m.at(-1) as { stat?: string }).stat);
    expect(stats).toEqual(['p50', 'p90', 'p99', 'Maximum']);
  });

  it('reads only metrics the code publishes, in the namespace the functions are given', () => {
    const names = new Set(METRIC_CATALOGUE.map((m) => m.name));
    const text = JSON.stringify(body);
    const searched = [...text.matchAll(/MetricName=\\"([A-Za-z]+)\\"/g)].map((m) => m[1]);
    const direct = body.widgets
      .flatMap((w) => w.properties.metrics ?? [])
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      .filter((m) => m[0] === 'otp-courier/${AWS::StackName}')
      .map((m) => m[1]);
    expect(searched.length + direct.length).toBeGreaterThan(8);
    for (const name of [...searched, ...direct]) expect(names.has(name as never), String(name)).toBe(true);
  });

  it.each([
    ['DeliveryRateAlarm', 'Delivered', 'DeliveryRateAlarmThreshold'],
    ['ConversionRateAlarm', 'Converted', 'ConversionRateAlarmThreshold'],
  ])(
    '%s: average of the 0/1 samples below the threshold, quiet when too few messages settled',
    (id, metric, threshold) => {
      const alarm = props(id);
      expect(alarm).toMatchObject({ Threshold: ref(threshold), ComparisonOperator: 'LessThanThreshold' });
      const metrics = alarm.Metrics as Array<Record<string, unknown>>;
      const stats = metrics
        .filter((m) => m.MetricStat)
        .map((m) => m.MetricStat as { Metric: { MetricName: string; Namespace: unknown }; Stat: string });
      expect(stats.map((m) => [m.Metric.MetricName, m.Stat])).toEqual([
        [metric, 'Average'],
        [metric, 'SampleCount'],
      ]);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      expect(stats[0]?.Metric.Namespace).toEqual({ 'Fn::Sub': 'otp-courier/${AWS::StackName}' });
      const guarded = metrics.find((m) => m.ReturnData === true);
      expect(guarded?.Expression).toEqual({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
        'Fn::Sub': 'IF(samples >= ${RateAlarmMinimumSamples}, rate, 1)',
      });
    },
  );
});
