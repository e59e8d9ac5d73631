import {
  FULL_SIZE,
  runPumpingSimulation,
  type SimulationReport,
} from '../../test/support/pumping-simulation';

export type PumpingResult = SimulationReport;

/**
 * Issue 14's proof at full size: 10,000 pumping requests over 500 sequential premium and mobile
 * numbers from 20 IPs, mixed with 2,000 real users, through the local stack (real HTTP, authorizer,
 * hook, dynalite counters) on a simulated hour. Several minutes on a 2-core machine, so it runs only
 * when asked: npm run bench -- --only pumping.
 */
export async function runPumping(): Promise<PumpingResult> {
  return runPumpingSimulation(FULL_SIZE, {
    onProgress: (done, total) => {
      if (done % 1_000 < 6) process.stderr.write(`pumping: ${done}/${total}\n`);
    },
  });
}
