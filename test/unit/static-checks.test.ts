import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Strict types and the lint/format rules are part of the spec: a change that breaks them fails the
 * suite, not just an optional script nobody runs.
 */
describe('static checks', () => {
  it('type-checks under strict TypeScript', async () => {
    const result = await run('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: root }).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).toBe('');
  }, 120_000);

  it('passes Biome (lint + format)', async () => {
    const result = await run('npx', ['biome', 'check', '--reporter=summary', '.'], { cwd: root }).catch(
      (error: { stdout: string; stderr: string }) => ({ ...error, failed: true }),
    );
    expect('failed' in result ? `${result.stdout}\n${result.stderr}` : '').toBe('');
  }, 120_000);
});
