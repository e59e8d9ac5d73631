import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import type { Logger } from '../../ports/logger';
import { createLocalClient } from '../support/dynalite';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('startEmbeddedDynamo', () => {
  it('listens on 127.0.0.1 only', async () => {
    const dynamo = await startEmbeddedDynamo({});
    try {
      expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await dynamo.close();
    }
  });

  it('keeps tables and items across restarts when given a LevelDB path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otp-courier-dynalite-'));
    try {
      const first = await startEmbeddedDynamo({ path: dir });
      const client1 = createLocalClient(first.endpoint);
      await ensureTemplateTable(client1, 'templates');
      await new DynamoDbTemplateStore(client1, { tableName: 'templates' }, silent).putTemplates([
        { locale: 'sv', channel: 'sms', purpose: 'generic', body: 'Kod: {{code}}', source: 'dynamodb' },
      ]);
      client1.destroy();
      await first.close();

      const second = await startEmbeddedDynamo({ path: dir });
      const client2 = createLocalClient(second.endpoint);
      try {
        expect(await ensureTemplateTable(client2, 'templates')).toEqual({ created: false });
        const found = await new DynamoDbTemplateStore(client2, { tableName: 'templates' }, silent).find({
          channel: 'sms',
          locales: ['sv'],
          purposes: ['generic'],
        });
        expect(found.map((t) => t.body)).toEqual(['Kod: {{code}}']);
      } finally {
        client2.destroy();
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
