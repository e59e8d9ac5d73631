import { type DeliveryOutcome, notSentOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';
import { maskPhone } from '../domain/mask';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { DeliveryRun } from './delivery-run';

/**
 * After the safety net aborts a delivery, how long the use case gets to finish on its own terms (its
 * calls reject at once when aborted; it then logs the letter it could not park, sealed code included).
 */
const SETTLE_AFTER_ABORT_MS = 20;

/**
 * The last line of defence every edge (HTTP hook or event trigger) puts around a delivery that outlives
 * its own bounds (an adapter ignoring its abort signal). The use case aborts its calls before the reply
 * deadline and answers first (a failure path that could only start late gets one reserve more); if it
 * has not by the run's last resort, the answer is what is already known — SUCCESSFUL once the provider
 * accepted, FAILED otherwise — never contradicting it, and whatever still runs is aborted, since Lambda
 * freezes it after the return anyway. Nothing is left running when this resolves.
 */
export async function settleWithinLastResort(
  run: DeliveryRun,
  request: DeliveryRequest,
  clock: Clock,
  logger: Logger,
): Promise<DeliveryOutcome> {
  const settled = run.settled.catch((error: unknown) => {
    logger.error('delivery failed unexpectedly', {
      eventId: request.eventId,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return run.decide(notSentOutcome(request, 'internal-error', run.deadline.elapsed(clock.now())));
  });
  // One promise that the reply or the timer settles (a race of two costs more on every request).
  let timer: NodeJS.Timeout | undefined;
  const first = await new Promise<DeliveryOutcome | 'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), run.lastResort.remaining(clock.now()));
    settled.then(resolve);
  });
  clearTimeout(timer);
  if (first !== 'late') return first;

  run.abort(new Error('reply deadline reached'));
  let grace: NodeJS.Timeout | undefined;
  const after = await Promise.race([
    settled,
    new Promise<undefined>((resolve) => {
      grace = setTimeout(() => resolve(undefined), SETTLE_AFTER_ABORT_MS);
    }),
  ]);
  clearTimeout(grace);
  if (after) return after;
  const outcome = run.decide(notSentOutcome(request, 'deadline-exceeded', run.deadline.elapsed(clock.now())));
  logger.error('deadline reached before delivery finished; replying with what is known', {
    eventId: request.eventId,
    idp: request.idp,
    purpose: request.purpose,
    channel: request.channel,
    to: maskPhone(request.phone),
    status: outcome.status,
    parked: run.parked,
    // The letter may never be parked: the sealed code goes into this line, as when parking fails.
    ...(run.parked || !run.sealedCode
      ? {}
      : {
          sealedScheme: run.sealedCode.scheme,
          sealedKeyId: run.sealedCode.keyId,
          sealedCode: run.sealedCode.ciphertext,
        }),
  });
  return outcome;
}
