import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoLocalStackError } from '../../app/cli/template-table';
import { templateTableSource } from '../../app/console/console-table';
import { startLocalStack } from '../../app/local/local-stack';

describe('the console follows the local stack it edits', () => {
  it('finds the running stack, says so when it stops, and reconnects when it restarts on another port', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-console-table-'));
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'WARN' };
    const source = templateTableSource(env);
    await expect(source.current()).rejects.toBeInstanceOf(NoLocalStackError);

    const first = await startLocalStack({ env, port: 0, announce: () => {} });
    const table = await source.current();
    expect(table.localEndpoint).toBe(first.dynamoEndpoint);
    expect((await table.store.listAllTemplates()).length).toBe(first.seededTemplates);
    await first.close();
    await expect(source.current()).rejects.toThrow(/stopped: start it again with npm start/);

    const second = await startLocalStack({ env, port: 0, announce: () => {} });
    try {
      const again = await source.current();
      expect(again.localEndpoint).toBe(second.dynamoEndpoint);
      expect((await again.store.listAllTemplates()).length).toBeGreaterThan(0);
    } finally {
      await source.close();
      await second.close();
    }
  });
});
