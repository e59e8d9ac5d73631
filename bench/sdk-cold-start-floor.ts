/**
 * `npx tsx bench/sdk-cold-start-floor.ts [runs]`: the cold start of bundles that hold nothing of
 * otp-courier, built with the hook's and the authorizer's own esbuild settings from template.yaml (what
 * `sam build` runs), started in fresh processes by the same probe as `npm run bench -- --only cold-start`:
 *
 *   - an empty handler: Node's own cost of importing a module;
 *   - jose's verifier and remote key set, as the authorizer builds them: the floor under its init budget;
 *   - the two official SDK clients a sign-in cannot do without (DynamoDB, End User Messaging), one
 *     conditional write and one send to a local server: the floor under the hook's init + first request.
 *
 * The bundles run round-robin, so a shared machine's load falls on each alike. Issue 10's budgets are
 * compared with these floors in README "Performance"; a budget below its floor cannot be met on this
 * machine by any code of ours.
 */
import { execFile, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { samEsbuildArgs } from '../scripts/build-lambdas';
import { loadTemplate } from '../scripts/cloudformation-yaml';
import { median, round } from './support/stats';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROBE = join(ROOT, 'bench', 'cold-start-probe.mjs');
const runs = Number(process.argv[2] ?? 15);

/** Each floor, bundled with the esbuild settings of the function it stands under. */
const FLOORS = [
  { name: 'empty handler', entry: 'bench/floor/empty-handler.ts', like: 'TelephonyHookFunction' },
  {
    name: 'jose verifier (authorizer floor)',
    entry: 'bench/floor/jose-floor-authorizer.ts',
    like: 'AuthorizerFunction',
  },
  {
    name: 'two SDK clients, write + send (hook floor)',
    entry: 'bench/floor/sdk-floor-handler.ts',
    like: 'TelephonyHookFunction',
  },
] as const;

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ MessageId: 'floor' });
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(0, '127.0.0.1', function () { process.send(this.address().port); });
`;

interface ProbeReport {
  readonly initMs: number;
  readonly firstInvokeMs: number;
  readonly outcome: string;
}

const template = loadTemplate(join(ROOT, 'template.yaml'));
const outRoot = await mkdtemp(join(tmpdir(), 'otp-courier-floor-'));
const server = fork('-e', [SERVER], { execArgv: ['-e', SERVER], stdio: 'inherit' });
process.once('exit', () => server.kill());
try {
  const port = await new Promise<number>((done) => server.once('message', (p) => done(Number(p))));
  const bundles = [];
  for (const floor of FLOORS) {
    const resource = template.Resources[floor.like];
    if (!resource) throw new Error(`template.yaml has no ${floor.like}`);
    const outdir = join(outRoot, basename(floor.entry, '.ts'));
    const { entryPoints, args } = samEsbuildArgs(floor.like, resource, ROOT, outdir);
    // The function's own flags, its entry point swapped for the floor's.
    const flags = args.filter((arg) => !entryPoints.includes(arg));
    await run(join(ROOT, 'node_modules', '.bin', 'esbuild'), [floor.entry, ...flags], { cwd: ROOT });
    bundles.push({ ...floor, file: join(outdir, `${basename(floor.entry, '.ts')}.mjs`) });
  }

  const env = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDFLOOR',
    AWS_SECRET_ACCESS_KEY: 'floor-secret',
    FLOOR_ENDPOINT: `http://127.0.0.1:${port}`,
  };
  const samples = new Map<string, ProbeReport[]>(bundles.map((b) => [b.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const bundle of bundles) {
      const { stdout } = await run(
        process.execPath,
        [PROBE, pathToFileURL(bundle.file).href, 'handler', JSON.stringify({ authorizationToken: 'x.y.z' })],
        { env },
      );
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) throw new Error(`${bundle.name}: no result from the probe\n${stdout}`);
      samples.get(bundle.name)?.push(JSON.parse(line.slice('BENCH_RESULT '.length)) as ProbeReport);
    }
  }

  const [load] = (await import('node:os')).loadavg();
  console.log(`cold-start floors: medians of ${runs} fresh processes each, load average ${load?.toFixed(2)}`);
  for (const bundle of bundles) {
    const reports = samples.get(bundle.name) ?? [];
    const init = median(reports.map((r) => r.initMs));
    const first = median(reports.map((r) => r.firstInvokeMs));
    const total = median(reports.map((r) => r.initMs + r.firstInvokeMs));
    console.log(
      `  ${bundle.name.padEnd(44)} init ${String(round(init, 1)).padStart(6)} ms  first ${String(round(first, 1)).padStart(6)} ms  init+first ${String(round(total, 1)).padStart(6)} ms  (${reports[0]?.outcome})`,
    );
  }
} finally {
  server.kill();
  await rm(outRoot, { recursive: true, force: true });
}
