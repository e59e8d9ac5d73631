import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

// The console's browser script has DOM types, so it has its own tsconfig; it is held to strict types too.
describe('the template console browser script', () => {
  it('type-checks under strict TypeScript with DOM types', async () => {
    const result = await run('npx', ['tsc', '--noEmit', '-p', 'app/console/client'], { cwd: root }).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).toBe('');
  }, 120_000);
});
