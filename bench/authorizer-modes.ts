import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tokenAuthorizerEvent } from '../app/local/api-gateway-events';
import {
  createDevIssuer,
  DEV_AUDIENCE,
  DEV_CLIENT_ID,
  DEV_SCOPE,
  loadOrCreateDevKey,
} from '../app/local/dev-issuer';
import { buildLambdas, type LambdaBundle } from '../scripts/build-lambdas';
import { startHttpsJwksServer, startJwksServer } from './support/jwks-server';
import { type ProbeReport, probeColdStart } from './support/probe-cold-start';
import { median, round } from './support/stats';

// The authorizer's cold start per mode, for one or more builds, alternating build by build and run by
// run so background load hits each alike. The same probe and window as `npm run bench -- --only
// cold-start` (bench/cold-start-probe.mjs: init = the bundle's import; first = the first event), with
// the modes that section does not run:
//   oauth-http    what the bench's cold-start section runs: JWKS over plain http on 127.0.0.1
//   oauth-https   as deployed: JWKS over https (a self-signed certificate the probe trusts through
//                 NODE_EXTRA_CA_CERTS), so the first request loads TLS and makes a handshake as in AWS
//   header-secret AUTH_MODE=header-secret, the other mode the authorizer supports
//   *-denied      the same with a token that is refused (a warn line is written)
//   *+rt          node:http loaded before the probe starts its clock, as Lambda's runtime interface client
//                 does before it imports the handler (it talks to the Runtime API through node:http). Not
//                 what the bench's budget row measures: how much of init is Node modules AWS preloads.
//
//   npx tsx bench/authorizer-modes.ts --template /tmp/before/template.yaml --template template.yaml \
//     [--runs 15] [--modes oauth-http,oauth-https,header-secret]

const ISSUER = 'https://example.okta.com/oauth2/ausBench';
const SECRET = 'bench-header-secret-0123456789abcdef';

const { values } = parseArgs({
  options: {
    template: { type: 'string', multiple: true },
    runs: { type: 'string', default: '15' },
    modes: { type: 'string', default: 'oauth-http,oauth-https,header-secret' },
  },
});
const templates = (values.template ?? ['template.yaml']).map((t) => resolve(t));
const runs = Number(values.runs);
const modes = (values.modes ?? '').split(',');

const work = await mkdtemp(join(tmpdir(), 'otp-courier-authorizer-modes-'));
const key = await loadOrCreateDevKey(undefined);
const issuer = await createDevIssuer(ISSUER, key);
const httpJwks = await startJwksServer({ keys: [key.publicJwk] });
const httpsJwks = await startHttpsJwksServer({ keys: [key.publicJwk] });
try {
  const bundles: LambdaBundle[] = [];
  for (const [i, templatePath] of templates.entries()) {
    const [b] = await buildLambdas({
      outRoot: join(work, `build-${i}`),
      templatePath,
      only: ['AuthorizerFunction'],
    });
    if (!b) throw new Error(`${templatePath}: no AuthorizerFunction`);
    bundles.push(b);
  }

  const envFor = (mode: string): Record<string, string> => {
    if (mode.startsWith('header-secret'))
      return { AUTH_MODE: 'header-secret', OKTA_HOOK_SECRET: SECRET, LOG_LEVEL: 'INFO' };
    const https = mode.startsWith('oauth-https');
    return {
      AUTH_MODE: 'oauth',
      ...(https ? { NODE_EXTRA_CA_CERTS: httpsJwks.certFile } : { OKTA_ALLOW_LOOPBACK_HTTP: 'true' }),
      OKTA_ISSUER: ISSUER,
      OKTA_AUDIENCE: DEV_AUDIENCE,
      OKTA_JWKS_URL: https ? httpsJwks.url : httpJwks.url,
      OKTA_CLIENT_IDS: DEV_CLIENT_ID,
      OKTA_SCOPE: DEV_SCOPE,
      LOG_LEVEL: 'INFO',
    };
  };
  const eventFor = async (mode: string) => {
    const denied = mode.replace('+rt', '').endsWith('-denied');
    if (mode.startsWith('header-secret')) return tokenAuthorizerEvent(denied ? 'not-the-secret' : SECRET);
    return tokenAuthorizerEvent(`Bearer ${await issuer.mint(denied ? { scope: 'other.scope' } : {})}`);
  };

  const reports = new Map<string, ProbeReport[]>();
  for (let i = 0; i < runs; i++) {
    for (const mode of modes) {
      for (const [j, b] of bundles.entries()) {
        const report = await probeColdStart(b, await eventFor(mode), {
          env: envFor(mode),
          // +rt: node:http loaded before the clock, as Lambda's runtime client leaves the process.
          ...(mode.endsWith('+rt') ? { nodeOptions: `${b.nodeOptions} --require node:http`.trim() } : {}),
        });
        const k = `${mode}\t${j}`;
        reports.set(k, [...(reports.get(k) ?? []), report]);
      }
    }
  }

  console.log(`runs ${runs}; builds: ${templates.map((t, j) => `[${j}] ${t}`).join('  ')}`);
  console.log('mode            build  init ms  first ms  init+first ms  bytes  outcomes');
  for (const mode of modes) {
    for (const [j, b] of bundles.entries()) {
      const rs = reports.get(`${mode}\t${j}`) ?? [];
      const outcomes: Record<string, number> = {};
      for (const r of rs) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      console.log(
        [
          mode.padEnd(15),
          String(j).padStart(5),
          round(median(rs.map((r) => r.initMs)), 1)
            .toFixed(1)
            .padStart(8),
          round(median(rs.map((r) => r.firstInvokeMs)), 1)
            .toFixed(1)
            .padStart(9),
          round(median(rs.map((r) => r.initMs + r.firstInvokeMs)), 1)
            .toFixed(1)
            .padStart(14),
          String(b.bytes).padStart(6),
          JSON.stringify(outcomes),
        ].join(' '),
      );
    }
  }
} finally {
  await httpJwks.close();
  await httpsJwks.close();
  await rm(work, { recursive: true, force: true });
}
