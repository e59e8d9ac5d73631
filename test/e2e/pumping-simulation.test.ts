import { describe, expect, it } from 'vitest';
import { FULL_SIZE, runPumpingSimulation } from '../support/pumping-simulation';

/**
 * Issue 14's simulation, scaled down for the suite (the full 10,000 + 2,000 runs in `npm run bench --
 * --only pumping`): an hour of SMS pumping over sequential premium and mobile numbers from 20 IPs,
 * mixed with real users who resend, switch to voice and share office IPs and number blocks, against
 * the local stack over HTTP with dynalite counters and the shipped default limits.
 */
describe('SMS pumping simulation (scaled down)', () => {
  it('stops the attack and refuses no real user', { timeout: 180_000 }, async () => {
    const report = await runPumpingSimulation({ ...FULL_SIZE, attackRequests: 240, legitUsers: 50 });
    expect(report.counterFailures).toEqual({});
    expect(report.legit.usersRefused).toBe(0);
    expect(report.legit.sent).toBe(report.legit.requests);
    expect(report.duplicates.sentAgain).toBe(0);
    // Premium numbers are never sent; the mobile half is held to 10 enrollments per 100-number block
    // per hourly window: 4 blocks, and an hour of attack spans at most 2 windows.
    expect(report.attack.byRule['number-type']).toBeGreaterThan(0);
    expect(report.attack.sent).toBeLessThanOrEqual(4 * 10 * 2);
    expect(report.attack.sent + report.attack.toOktaFallback + report.attack.absorbed).toBe(
      report.attack.requests,
    );
  });
});
