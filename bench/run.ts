/**
 * `npm run bench`: the shipped path (issue 10) and the five measurements of issue 6, each in its own
 * process, then a table, the budgets and bench/results.json. Exits 1 when a budget is missed. Not part of
 * `npm test`; about two minutes on a 2-core machine.
 *
 *   npm run bench                                   everything
 *   npm run bench -- --only cold-start --profile    one section; CPU profile of a cold start
 *   npm run bench -- --only shipped-path --profile  the headline, and a CPU profile of a warm run
 *   npm run bench -- --only shipped-path --quick    a smaller run, for a look while working
 *   npm run bench -- --only shipped-path --template /tmp/other-checkout/template.yaml   compare builds
 *   npm run bench -- --only cold-start --template /tmp/t.yaml    other build settings (CodeUri
 *                                                   resolves against that file's folder)
 *   npm run bench -- --only cold-start --sam-build .aws-sam/build   the output of a real `sam build`
 *   npm run bench -- --only pumping                 issue 14's full-size SMS pumping simulation
 *                                                   (several minutes; not in the default run)
 */
import { execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkBudgets } from './support/budgets';
import { machineSpeedMs } from './support/machine-speed';
import { type BenchReport, renderReport } from './support/report';
import {
  isSectionName,
  OPT_IN_SECTIONS,
  SECTION_NAMES,
  type SectionMessage,
  type SectionName,
  type SectionOptions,
  type SectionResults,
} from './support/sections';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    template: { type: 'string' },
    'sam-build': { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const selected = values.only
  ? values.only.split(',').map((s) => s.trim())
  : SECTION_NAMES.filter((s) => !OPT_IN_SECTIONS.includes(s));
const unknown = selected.filter((s) => !isSectionName(s));
if (unknown.length > 0) {
  console.error(`unknown section(s): ${unknown.join(', ')}; known: ${SECTION_NAMES.join(', ')}`);
  process.exit(2);
}
const options: SectionOptions = {
  profile: values.profile,
  quick: values.quick,
  ...(values.template ? { templatePath: values.template } : {}),
  ...(values['sam-build'] ? { samBuildDir: values['sam-build'] } : {}),
};

const started = Date.now();
const loadAverageBefore = loadavg();
const speedBefore = machineSpeedMs();
// One file per checkout, overwritten each run: the handlers log every request at INFO, a few MB per run.
// (Named after the checkout, so benches of two clones on one machine do not write into each other's log.)
const logFile = join(
  tmpdir(),
  `otp-courier-bench-${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 8)}.log`,
);
const log = openSync(logFile, 'w');
console.error(`bench: section output (handler logs) → ${logFile}`);

function runSection(name: SectionName): Promise<SectionMessage> {
  const child = fork(
    fileURLToPath(new URL('./support/section-child.ts', import.meta.url)),
    [name, JSON.stringify(options)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', log, log, 'ipc'],
    },
  );
  return new Promise((resolve) => {
    let message: SectionMessage | undefined;
    child.on('message', (m) => {
      message = m as SectionMessage;
    });
    child.on('exit', (code) =>
      resolve(
        message ?? {
          ok: false,
          error: `section process exited with code ${code} before reporting (see ${logFile})`,
        },
      ),
    );
  });
}

const results: Partial<Record<SectionName, unknown>> = {};
const errors: Partial<Record<SectionName, string>> = {};
for (const name of SECTION_NAMES.filter((s) => selected.includes(s))) {
  const t0 = Date.now();
  process.stderr.write(`bench: ${name} … `);
  const message = await runSection(name);
  if (message.ok) results[name] = message.result;
  else errors[name] = message.error;
  process.stderr.write(`${message.ok ? 'done' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
closeSync(log);

const typed = results as Partial<SectionResults>;
const report: BenchReport = {
  generatedAt: new Date(started).toISOString(),
  commit: commitDescription(),
  durationSeconds: Math.round((Date.now() - started) / 100) / 10,
  machine: {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageBefore: loadAverageBefore.map((l) => Math.round(l * 100) / 100),
    speedIndexMs: [speedBefore, machineSpeedMs()],
    loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
  },
  results: typed,
  errors,
  budgets: checkBudgets(typed),
};
writeFileSync(
  fileURLToPath(new URL('./results.json', import.meta.url)),
  `${JSON.stringify(report, null, 2)}\n`,
);
console.log(renderReport(report));
for (const [name, error] of Object.entries(errors)) console.error(`\n${name} failed:\n${error}`);
// A missed budget fails the run, loudly: the figures are the contract, not a report to skim.
const missed = report.budgets.filter((b) => b.status === 'MISS');
if (missed.length > 0) {
  console.error(
    [
      '',
      `BENCH FAILED: ${missed.length} budget${missed.length === 1 ? '' : 's'} missed`,
      ...missed.map((b) => `  ✗ ${b.budget}: ${b.actual} ${b.unit} (limit ${b.limit})`),
      `  load average ${report.machine.loadAverageBefore.join('/')} before the run: on a busy machine, run again`,
      '  before believing a miss.',
    ].join('\n'),
  );
}
process.exitCode = Object.keys(errors).length > 0 || missed.length > 0 ? 1 : 0;

/** Which code was measured: the commit, marked dirty when the working tree differs from it. */
function commitDescription(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') === '' ? '' : '-dirty'}`;
  } catch {
    return 'unknown';
  }
}
