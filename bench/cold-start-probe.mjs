// Runs in a fresh `node` process, as the Lambda runtime would: import one bundle, hand its handler one
// event, report timings. Plain JavaScript and no imports of its own, so nothing is loaded (or warmed)
// before the bundle; the parent (sections/cold-start.ts) passes everything on the command line.
//
//   node cold-start-probe.mjs <bundle file URL> <handler export> <event JSON>
const [bundleUrl, exportName, eventJson] = process.argv.slice(2);
const event = JSON.parse(eventJson);

const beforeImport = performance.now();
const cpuBeforeImport = process.cpuUsage();
const bundle = await import(bundleUrl);
const afterImport = performance.now();
// CPU time as well as wall time: on a shared machine the wall clock mostly measures the neighbours.
const cpuInit = process.cpuUsage(cpuBeforeImport);
const cpuAfterImport = process.cpuUsage();
// On the clock of a `--cpu-prof` profile (both monotonic, µs): where init ends and the first request starts.
const importEndUs = Number(process.hrtime.bigint() / 1000n);

// API Gateway stamps arrival; here the event "arrives" when the handler is called.
if (event.requestContext) event.requestContext.requestTimeEpoch = Date.now();
let outcome;
try {
  const result = await bundle[exportName](event, { functionName: 'bench', awsRequestId: 'bench' });
  outcome = describe(result);
} catch (error) {
  outcome = `threw ${error instanceof Error ? error.message : String(error)}`;
}
const afterInvoke = performance.now();
const cpuFirstInvoke = process.cpuUsage(cpuAfterImport);

const report = {
  // Time from process start to the import: Node's own bootstrap, which Lambda's runtime replaces.
  bootMs: beforeImport,
  initMs: afterImport - beforeImport,
  firstInvokeMs: afterInvoke - afterImport,
  // The process's CPU, every thread (V8's compiler and GC helpers included), user + system.
  initCpuMs: (cpuInit.user + cpuInit.system) / 1000,
  firstInvokeCpuMs: (cpuFirstInvoke.user + cpuFirstInvoke.system) / 1000,
  maxRssKb: process.resourceUsage().maxRSS,
  importEndUs,
  outcome,
};
// Handlers log to stdout too; the marker tells the parent which line is ours. SDK keep-alive sockets
// would hold the process open, so exit once the line is written.
process.stdout.write(`BENCH_RESULT ${JSON.stringify(report)}\n`, () => process.exit(0));

function describe(result) {
  if (result?.policyDocument) return `policy ${result.policyDocument.Statement?.[0]?.Effect}`;
  if (typeof result?.statusCode === 'number') {
    const body = JSON.parse(result.body);
    return `${result.statusCode} ${body.commands?.[0]?.value?.[0]?.status ?? body.error?.errorSummary ?? 'unknown'}`;
  }
  // The Cognito trigger's reply: how the delivery ended.
  if (typeof result?.status === 'string')
    return `trigger ${result.status}${result.reason ? ` ${result.reason}` : ''}`;
  if (typeof result === 'string') return result;
  return typeof result;
}
