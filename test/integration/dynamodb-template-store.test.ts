import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { TemplateError } from '../../domain/errors';
import type { MessageTemplate } from '../../domain/message-template';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { RecordingLogger } from '../support/recording-logger';

const TABLE = 'templates';

const tpl = (locale: string, purpose: MessageTemplate['purpose'], body: string): MessageTemplate => ({
  locale,
  channel: 'sms',
  purpose,
  body,
  source: 'dynamodb',
});

describe('DynamoDbTemplateStore against dynalite', () => {
  let dynamo: TestDynamo;
  let logger: RecordingLogger;
  let store: DynamoDbTemplateStore;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    expect(await ensureTemplateTable(dynamo.client, TABLE)).toEqual({ created: true });
    expect(await ensureTemplateTable(dynamo.client, TABLE)).toEqual({ created: false });
    const seeder = new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, new RecordingLogger());
    await seeder.putTemplates(
      [
        tpl('pt', 'verification', 'Seu código: {{code}}'),
        tpl('pt', 'generic', 'Código: {{code}}'),
        tpl('fr', 'generic', 'Votre code : {{code}}'),
        tpl('en', 'verification', 'Your code is {{code}}'),
        {
          locale: 'en',
          channel: 'voice',
          purpose: 'generic',
          body: 'Your code is {{code}}. Again: {{code}}.',
          voiceId: 'JOANNA',
          source: 'dynamodb',
          version: 3,
        },
      ],
      { updatedBy: 'test' },
    );
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    logger = new RecordingLogger();
    store = new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, logger);
    dynamo.calls.length = 0;
  });

  it('returns the exact template (hit) in one BatchGetItem', async () => {
    const found = await store.find({
      channel: 'sms',
      locales: ['en'],
      purposes: ['verification', 'generic'],
    });
    expect(found).toEqual([
      expect.objectContaining({
        locale: 'en',
        channel: 'sms',
        purpose: 'verification',
        body: 'Your code is {{code}}',
        source: 'dynamodb',
        version: 1,
        updatedBy: 'test',
      }),
    ]);
    expect(dynamo.calls).toEqual(['BatchGetItem']);
  });

  it('resolves the whole locale chain in one call (pt-BR falls back to pt)', async () => {
    const found = await store.find({
      channel: 'sms',
      locales: ['pt-BR', 'pt', 'en'],
      purposes: ['verification', 'generic'],
    });
    const keys = found.map((t) => `${t.locale}/${t.purpose}`).sort();
    expect(keys).toEqual(['en/verification', 'pt/generic', 'pt/verification']);
    expect(dynamo.calls).toEqual(['BatchGetItem']);
  });

  it('finds the generic template when none exists for the purpose', async () => {
    const found = await store.find({
      channel: 'sms',
      locales: ['fr'],
      purposes: ['password-reset', 'generic'],
    });
    expect(found.map((t) => `${t.locale}/${t.purpose}`)).toEqual(['fr/generic']);
    expect(dynamo.calls).toEqual(['BatchGetItem']);
  });

  it('keeps channels apart and reads voice id and version', async () => {
    const found = await store.find({
      channel: 'voice',
      locales: ['en'],
      purposes: ['verification', 'generic'],
    });
    expect(found).toEqual([expect.objectContaining({ channel: 'voice', voiceId: 'JOANNA', version: 3 })]);
  });

  it('returns nothing (no error) when no key matches', async () => {
    expect(await store.find({ channel: 'sms', locales: ['xx'], purposes: ['generic'] })).toEqual([]);
  });

  it('skips malformed items with a logged reason and never returns them', async () => {
    const put = (item: Record<string, { S: string } | { N: string }>) =>
      dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    await put({ pk: { S: 'sms#de' }, sk: { S: 'verification' }, body: { N: '42' } });
    await put({ pk: { S: 'sms#de' }, sk: { S: 'generic' }, body: { S: 'Kein Platzhalter' } });
    await put({
      pk: { S: 'sms#de-AT' },
      sk: { S: 'generic' },
      body: { S: 'Code {{code}}' },
      version: { S: 'x' },
    });
    await put({ pk: { S: 'sms#de-CH' }, sk: { S: 'generic' }, body: { S: 'Code {{code}}' } });

    const found = await store.find({
      channel: 'sms',
      locales: ['de-CH', 'de-AT', 'de'],
      purposes: ['verification', 'generic'],
    });
    expect(found.map((t) => t.locale)).toEqual(['de-CH']);
    const reasons = logger.warnings.map((w) => `${w.fields?.pk}/${w.fields?.sk}: ${w.fields?.reason}`).sort();
    expect(reasons).toEqual([
      'sms#de-AT/generic: version is not an integer number',
      'sms#de/generic: template de/sms/generic (dynamodb): no {{code}} placeholder',
      'sms#de/verification: body is not a string',
    ]);
    expect(logger.warnings.every((w) => w.message === 'template item skipped')).toBe(true);
  });

  it('stores expiry phrases as a native map with the wording language, and reads them back', async () => {
    const expiry = {
      minutes: { one: '{{count}} minute', other: '{{count}} minutes' },
      hours: { one: '{{count}} hour', other: '{{count}} hours' },
    };
    const template: MessageTemplate = {
      locale: 'lt',
      channel: 'voice',
      purpose: 'generic',
      body: 'Code {{code}}. Again {{code}}. It expires in {{expiry}}.',
      voiceId: 'AMY',
      language: 'en-GB',
      expiry,
      source: 'dynamodb',
    };
    await store.putTemplates([template]);
    const [found] = await store.find({ channel: 'voice', locales: ['lt'], purposes: ['generic'] });
    expect(found).toMatchObject({ expiry, language: 'en-GB', voiceId: 'AMY' });
    const raw = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'voice#lt' }, sk: { S: 'generic' } } }),
    );
    expect(raw.Item?.expiry?.M?.minutes?.M?.one).toEqual({ S: '{{count}} minute' });
    expect(raw.Item?.language).toEqual({ S: 'en-GB' });
  });

  it('skips items whose expiry phrases are mistyped or wrong for the language', async () => {
    const put = (sk: string, expiry: AttributeValue) =>
      dynamo.client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: 'sms#uk' }, sk: { S: sk }, body: { S: 'Код {{code}}, {{expiry}}' }, expiry },
        }),
      );
    await put('generic', { S: '{"minutes":{}}' });
    await put('verification', { M: { minutes: { M: { one: { N: '1' } } } } });
    await put('enrollment', {
      M: { minutes: { M: { one: { S: 'хвилину' }, other: { S: '{{count}} хв' } } } },
    });
    expect(
      await store.find({
        channel: 'sms',
        locales: ['uk'],
        purposes: ['generic', 'verification', 'enrollment'],
      }),
    ).toEqual([]);
    const reasons = logger.warnings.map((w) => `${w.fields?.sk}: ${w.fields?.reason}`).sort();
    expect(reasons).toEqual([
      'enrollment: template uk/sms/enrollment (dynamodb): expiry.minutes.one has no {{count}}, but in uk "one" covers 1, 21, 31, 41…: say the number with {{count}}',
      'generic: expiry is not a map',
      'verification: expiry.minutes.one is not a string',
    ]);
  });

  it('putTemplates writes nothing if any template is invalid', async () => {
    await expect(
      store.putTemplates([tpl('it', 'generic', 'Codice {{code}}'), tpl('it', 'verification', 'niente')]),
    ).rejects.toThrow(/no \{\{code\}\} placeholder/);
    expect(await store.find({ channel: 'sms', locales: ['it'], purposes: ['generic'] })).toEqual([]);
  });

  it('putTemplates refuses locale keys no request looks up, naming the key to use, and writes nothing', async () => {
    const keys = ['pt_BR', 'PT_BR', 'iw', 'en-US-u-ca-buddhist'];
    const error = await store
      .putTemplates([
        tpl('it', 'generic', 'Codice {{code}}'),
        ...keys.map((k) => tpl(k, 'generic', '{{code}}')),
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    const message = (error as Error).message;
    expect(message).toContain(
      'template pt_BR/sms/generic (dynamodb): locale "pt_BR" must be written "pt-BR"',
    );
    expect(message).toContain('locale "PT_BR" must be written "pt-BR"');
    expect(message).toContain('locale "iw" must be written "he"');
    expect(message).toContain('locale "en-US-u-ca-buddhist" must be written "en-US"');
    expect(dynamo.calls).not.toContain('BatchWriteItem');
    expect(await store.find({ channel: 'sms', locales: ['it'], purposes: ['generic'] })).toEqual([]);
  });

  it('listAllTemplates returns every valid template (operator tool)', async () => {
    const all = await store.listAllTemplates();
    expect(all.map((t) => `${t.channel}/${t.locale}/${t.purpose}`)).toEqual(
      expect.arrayContaining([
        'sms/pt/verification',
        'sms/fr/generic',
        'voice/en/generic',
        'sms/de-CH/generic',
      ]),
    );
    expect(all.every((t) => t.source === 'dynamodb')).toBe(true);
  });

  it('writes more than one BatchWriteItem page', async () => {
    // qaa–qtz: language codes reserved for local use, each one a key requests can look up.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const local = (i: number) => `q${letters[Math.floor(i / 26)]}${letters[i % 26]}`;
    const many = Array.from({ length: 60 }, (_, i) => tpl(local(i), 'generic', `Code {{code}} ${i}`));
    expect(await store.putTemplates(many)).toBe(60);
    expect(dynamo.calls.filter((c) => c === 'BatchWriteItem')).toHaveLength(3);
    const found = await store.find({ channel: 'sms', locales: [local(0), local(59)], purposes: ['generic'] });
    expect(found).toHaveLength(2);
  });
});

describe('DynamoDbTemplateStore with throttled BatchGetItem (UnprocessedKeys)', () => {
  let dynamo: TestDynamo;
  let unprocessedRounds = 0;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    await ensureTemplateTable(dynamo.client, TABLE);
    await new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, new RecordingLogger()).putTemplates([
      tpl('en', 'generic', 'Code {{code}}'),
    ]);
    // Simulates DynamoDB answering "not now" for every key, as it does under throttling.
    dynamo.client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'BatchGetItemCommand' && unprocessedRounds > 0) {
          unprocessedRounds--;
          const input = args.input as { RequestItems: Record<string, unknown> };
          Object.assign(result.output as object, { Responses: {}, UnprocessedKeys: input.RequestItems });
        }
        return result;
      },
      { step: 'initialize', name: 'simulateUnprocessedKeys' },
    );
  });
  afterAll(() => dynamo.close());

  it('retries unprocessed keys a bounded number of times', async () => {
    const store = new DynamoDbTemplateStore(dynamo.client, { tableName: TABLE }, new RecordingLogger());
    const query = { channel: 'sms', locales: ['en'], purposes: ['generic'] } as const;

    unprocessedRounds = 1;
    dynamo.calls.length = 0;
    expect(await store.find(query)).toHaveLength(1);
    expect(dynamo.calls).toEqual(['BatchGetItem', 'BatchGetItem']);

    unprocessedRounds = 10;
    dynamo.calls.length = 0;
    await expect(store.find(query)).rejects.toThrow(/unprocessed/);
    expect(dynamo.calls).toHaveLength(3);
  });
});
