// Drives the hook bundle exactly as Lambda would load it, in a process of its own: plain `node` with the
// function's NODE_OPTIONS and environment, no tsx, no test helpers, nothing of ours loaded but the bundle.
// The parent (sections/shipped-path.ts) hosts dynalite and the fake AWS endpoint in its own process, so
// the CPU this process uses is the function's alone.
//
//   node shipped-driver.mjs <bundle file URL> <handler export> <plan file>
//
// The plan file holds one event template and the request bodies (built by the parent: API Gateway builds
// events, not our code). Results go to the parent over IPC.
import dc from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';

const [bundleUrl, exportName, planFile] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const { template, bodies, warmup, structureRequests, rounds, requestsPerRound, concurrencies } = plan;

const beforeImport = performance.now();
const bundle = await import(bundleUrl);
const importMs = performance.now() - beforeImport;
const handler = bundle[exportName];

let next = 0;
function nextEvent() {
  const body = bodies[next++ % bodies.length];
  return {
    ...template,
    body,
    requestContext: { ...template.requestContext, requestId: `bench-${next}`, requestTimeEpoch: Date.now() },
  };
}

function statusOf(result) {
  if (result?.statusCode !== 200) return `HTTP ${result?.statusCode}`;
  const body = JSON.parse(result.body);
  return body.commands?.[0]?.value?.[0]?.status ?? (body.error ? 'FAILED' : 'unknown');
}

/** `concurrency` loops calling the handler until `requests` have been answered. */
async function pass(requests, concurrency) {
  const latencies = new Float64Array(requests);
  const statuses = {};
  let started = 0;
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const switchesBefore = process.resourceUsage().involuntaryContextSwitches;
  const wallStart = performance.now();
  async function loop() {
    while (started < requests) {
      started += 1;
      const event = nextEvent();
      const t0 = performance.now();
      const result = await handler(event, {
        functionName: 'bench',
        awsRequestId: event.requestContext.requestId,
      });
      latencies[done] = performance.now() - t0;
      done += 1;
      const status = statusOf(result);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    concurrency,
    requests,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    systemCpuMs: cpu.system / 1000,
    // Times the kernel took the CPU away mid-work: a busy machine, whose figures read high.
    preemptions: process.resourceUsage().involuntaryContextSwitches - switchesBefore,
    latencies: Array.from(latencies),
    statuses,
  };
}

/**
 * One request at a time, each outgoing HTTP request seen through Node's own diagnostics channels (the
 * bundle's SDK copy goes through node:http like any other client): how many calls a request makes, to
 * which operations, and how many sequential round trips they form — calls whose [request start,
 * response] intervals overlap were in flight together and count as one round trip.
 */
async function structure(requests) {
  let calls = [];
  const starts = new Map();
  const onStart = ({ request }) => {
    starts.set(request, performance.now());
  };
  const onResponse = ({ request }) => {
    const target = String(request.getHeader('x-amz-target') ?? request.path ?? '?');
    calls.push({ target, start: starts.get(request) ?? 0, end: performance.now() });
    starts.delete(request);
  };
  const onError = ({ request }) => {
    calls.push({ target: 'error', start: starts.get(request) ?? 0, end: performance.now() });
    starts.delete(request);
  };
  dc.subscribe('http.client.request.start', onStart);
  dc.subscribe('http.client.response.finish', onResponse);
  dc.subscribe('http.client.request.error', onError);
  const perRequest = [];
  try {
    for (let i = 0; i < requests; i++) {
      calls = [];
      const result = await handler(nextEvent(), { functionName: 'bench', awsRequestId: `structure-${i}` });
      // A response's 'finish' can trail the handler by a tick; let it land.
      await new Promise((resolve) => setImmediate(resolve));
      calls.sort((a, b) => a.start - b.start);
      const trips = [];
      let reach = Number.NEGATIVE_INFINITY;
      for (const call of calls) {
        if (call.start >= reach) trips.push([]);
        trips[trips.length - 1].push(call.target.split('.').pop());
        reach = Math.max(reach, call.end);
      }
      perRequest.push({
        status: statusOf(result),
        calls: calls.length,
        roundTrips: trips.length,
        sequence: trips.map((t) => t.join(' ‖ ')).join(' → '),
      });
    }
  } finally {
    dc.unsubscribe('http.client.request.start', onStart);
    dc.unsubscribe('http.client.response.finish', onResponse);
    dc.unsubscribe('http.client.request.error', onError);
  }
  return perRequest;
}

const warm = await pass(warmup, 1);
if (plan.interleaved) {
  // Driven pass by pass by the parent (bench/shipped-ab.ts), alternating with another build's driver so
  // a shared machine's load falls on both alike: { requests, concurrency } in, the pass's figures out.
  process.on('message', async (message) => {
    if (message === 'exit') process.exit(0);
    const { latencies, ...figures } = await pass(message.requests, message.concurrency);
    const sorted = [...latencies].sort((a, b) => a - b);
    process.send({ ...figures, p50: sorted[Math.floor(sorted.length / 2)] });
  });
  process.send({ importMs, warmupStatuses: warm.statuses, ready: true });
} else {
  await measured();
}

async function measured() {
  const shape = await structure(structureRequests);
  const passes = [];
  // On a CPU profile's clock (monotonic µs): the measured passes alone, without import, warm-up or structure.
  const measuredFromUs = Number(process.hrtime.bigint() / 1000n);
  for (let round = 0; round < rounds; round++) {
    for (const concurrency of concurrencies) passes.push(await pass(requestsPerRound, concurrency));
  }
  const measuredToUs = Number(process.hrtime.bigint() / 1000n);
  process.send(
    { importMs, warmupStatuses: warm.statuses, structure: shape, passes, measuredFromUs, measuredToUs },
    () => process.exit(0),
  );
}
