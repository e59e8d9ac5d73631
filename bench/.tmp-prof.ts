import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildLambdas } from '../scripts/build-lambdas';
import { summariseProfile } from './support/cpu-profile-summary';
import { LAMBDA_ENV } from './support/lambda-runtime';
const tpl = process.argv[2] ?? 'template.yaml';
const mode = process.argv[3] ?? 'header-secret';
const [b] = await buildLambdas({ outRoot: mkdtempSync('/tmp/s5a/prof/bundle-'), templatePath: tpl, only: ['AuthorizerFunction'], extraArgs: ['--sourcemap'] });
const env = mode === 'header-secret' ? { AUTH_MODE: 'header-secret', OKTA_HOOK_SECRET: 'bench-header-secret-0123456789abcdef' } : { AUTH_MODE: 'oauth', OKTA_ALLOW_LOOPBACK_HTTP: 'true', OKTA_ISSUER: 'https://example.okta.com/oauth2/ausBench', OKTA_AUDIENCE: 'api://otp-courier', OKTA_JWKS_URL: mode === 'oauth-https' ? 'https://127.0.0.1:9/x' : 'http://127.0.0.1:9/x', OKTA_CLIENT_IDS: 'x', OKTA_SCOPE: 'y' };
const acc = new Map<string, number>(); const top = new Map<string, number>();
const N = Number(process.argv[4] ?? 8);
let init = 0;
for (let i = 0; i < N; i++) {
  const dir = mkdtempSync('/tmp/s5a/prof/p-');
  const out = execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, 'bench/cold-start-probe.mjs', pathToFileURL(b!.handlerFile).href, 'handler', JSON.stringify({ type: 'TOKEN', authorizationToken: 'bench-header-secret-0123456789abcdef', methodArn: 'arn:x' })], { env: { PATH: process.env.PATH, ...LAMBDA_ENV, ...env, LOG_LEVEL: 'INFO' }, encoding: 'utf8' });
  const rep = JSON.parse(out.split('\n').find((l) => l.startsWith('BENCH_RESULT '))!.slice(13));
  init += rep.initMs / N;
  const f = join(dir, readdirSync(dir)[0]!);
  const s = summariseProfile(f, b!.handlerFile, 25, { fromUs: rep.importEndUs - Math.round(rep.initMs * 1000), toUs: rep.importEndUs });
  for (const c of s.bySource) acc.set(c.name, (acc.get(c.name) ?? 0) + c.ms / N);
  for (const c of s.topFrames) top.set(c.name, (top.get(c.name) ?? 0) + c.ms / N);
}
console.log(`mean init ${init.toFixed(1)} ms`);
console.log([...acc].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v.toFixed(2).padStart(7)}  ${k}`).join('\n'));
console.log('--- top frames');
console.log([...top].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(2).padStart(7)}  ${k}`).join('\n'));
