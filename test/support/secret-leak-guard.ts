import { format } from 'node:util';
import { afterAll, expect } from 'vitest';

/**
 * Loaded before every test file (vitest setupFiles). Tees everything the file's code writes to
 * stdout, stderr and the console, and after the file's tests asserts that none of the passcodes the
 * tests registered with `guardSecret` was ever printed. This is how the suite proves "no OTP in logs".
 */
const captured: string[] = [];
const secrets = new Set<string>();

export function guardSecret(code: string): string {
  secrets.add(code);
  return code;
}

/** Everything printed so far in this test file (for tests that look for masking too). */
export function capturedOutput(): string {
  return captured.join('');
}

function tee<T extends (...args: never[]) => unknown>(original: T, record: (args: Parameters<T>) => void): T {
  return ((...args: Parameters<T>) => {
    record(args);
    return original(...args);
  }) as T;
}

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = tee(write, (args) => {
    const chunk = args[0];
    captured.push(
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk),
    );
  }) as typeof stream.write;
}
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = tee(original, (args) => {
    captured.push(`${format(...args)}\n`);
  });
}

afterAll(() => {
  const output = captured.join('');
  const leaked = [...secrets].filter((secret) => output.includes(secret));
  expect(leaked, 'a registered passcode appeared in captured output').toEqual([]);
});
