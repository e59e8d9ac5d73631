import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot, tsx } from '../support/console-fixture';

const run = promisify(execFile);

describe('npm run console without a local stack', () => {
  it('says what to do and never opens the data dir itself (LevelDB allows one process)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-console-alone-'));
    const failed = await run(tsx, ['app/console/start.ts'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        CONSOLE_PORT: '0',
        AWS_REGION: '',
        TEMPLATE_TABLE: '',
        DYNAMODB_ENDPOINT: '',
      },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /no local stack is running for .*: start it with npm start \(same DATA_DIR\), or set AWS_REGION and TEMPLATE_TABLE/,
    );
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
  });
});
