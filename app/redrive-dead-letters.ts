import { inject, injectable } from 'inversify';
import type { DeadLetter } from '../domain/dead-letter';
import { Deadline } from '../domain/deadline';
import type { DeliveryRequest } from '../domain/delivery-request';
import { DeliveryError } from '../domain/errors';
import { maskPhone } from '../domain/mask';
import type { OutboundMessage } from '../domain/outbound-message';
import type { Clock } from '../ports/clock';
import type { DeadLetterQueue, MalformedDeadLetter, ReceivedDeadLetter } from '../ports/dead-letter-queue';
import type { Logger } from '../ports/logger';
import type { MessageSender, SendReceipt } from '../ports/message-sender';
import type { SecretSealer } from '../ports/secret-sealer';
import { MessageComposer } from './message-composer';
import { sendWithinDeadline } from './send-within-deadline';
import { TOKENS } from './tokens';

export interface RedriveOptions {
  /** How many letters to read in this run (default 100). */
  readonly max?: number;
  /** Unseal and compose to check each letter would go, but send and delete nothing. */
  readonly dryRun?: boolean;
  /** Time one send may take before it is aborted and the letter kept (default 10 s). */
  readonly sendTimeoutMs?: number;
  /**
   * Also resend letters whose first send may have reached the provider (`uncertain`): the user may get
   * the code twice. Only an operator who knows those messages never arrived should ask for it.
   */
  readonly includeUncertain?: boolean;
}

/**
 * What a run did. `resent` and `expired` letters are gone from the queue; `kept` counts every item
 * read that is still queued (failures, held uncertain letters, malformed items, a dry run, a delete
 * that failed). In a dry run `resent` and `expired` say what a real run would do.
 */
export interface RedriveReport {
  readonly resent: number;
  readonly expired: number;
  readonly failed: number;
  /** Uncertain letters left alone (they may have been delivered); see `includeUncertain`. */
  readonly held: number;
  /** Items that are not valid dead letters: reported by reference, left in the queue. */
  readonly malformed: number;
  readonly kept: number;
}

const DEFAULT_MAX = 100;
const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/**
 * Re-sends parked passcodes that have not expired yet, and drops the expired ones.
 *
 * Certainty: only letters whose first send surely never reached the provider (`not-sent`) are resent;
 * `uncertain` ones are held unless the operator passes `includeUncertain`. A resend that itself ends
 * uncertain re-parks its letter as `uncertain`, so the next run does not send it again on its own. Each
 * item is validated on read; a malformed one is reported and skipped, never aborting the run.
 *
 * Idempotency: the original delivery's claim is recorded "failed", and a not-sent letter's code never
 * reached the provider. Redrive is an explicit operator action and deliberately does not go through the
 * idempotency claim (it would refuse: the claim exists). Within one run a letter is sent at most once (SQS can hand the same message over
 * twice), and a letter whose send succeeded is deleted before the next one is touched.
 *
 * At-least-once, not exactly-once: if the process dies between a successful send and the delete, the
 * letter is still queued and the next run sends that code again — one possible duplicate message to one
 * user, for a code they are still waiting for. Acceptable for a manual operator action; losing the letter
 * (delete before send) would be worse.
 */
@injectable()
export class RedriveDeadLetters {
  constructor(
    @inject(TOKENS.DeadLetterQueue) private readonly deadLetters: DeadLetterQueue,
    @inject(TOKENS.SecretSealer) private readonly sealer: SecretSealer,
    @inject(MessageComposer) private readonly composer: MessageComposer,
    @inject(TOKENS.MessageSender) private readonly sender: MessageSender,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async run(options: RedriveOptions = {}): Promise<RedriveReport> {
    const max = options.max ?? DEFAULT_MAX;
    const dryRun = options.dryRun ?? false;
    const counts = { resent: 0, expired: 0, failed: 0, held: 0, malformed: 0, kept: 0 };
    if (max <= 0) return counts;
    // One receive: the JSONL queue returns the head of the file, where kept letters stay, so polling
    // again would only hand back the ones that just failed.
    const received = await this.deadLetters.receive(max);
    // eventId → whether that event's code went out in this run.
    const handled = new Map<string, boolean>();

    for (const item of received) {
      if (isMalformed(item)) {
        counts.malformed += 1;
        counts.kept += 1;
        this.logger.warn('malformed dead letter skipped: left in the queue', {
          ref: item.ref,
          issues: item.issues.join('; ').slice(0, 500),
        });
        continue;
      }
      const { letter } = item;
      const fields = this.logFields(letter);

      const earlier = handled.get(letter.eventId);
      if (earlier !== undefined) {
        // The same letter twice in one run (SQS redelivery, or parked twice): never a second send.
        if (earlier && !dryRun && (await this.remove(item, fields))) {
          this.logger.info('duplicate dead letter dropped: its code was just resent', fields);
        } else counts.kept += 1;
        continue;
      }

      if (letter.expiresAt <= this.clock.now()) {
        handled.set(letter.eventId, false);
        counts.expired += 1;
        if (dryRun) counts.kept += 1;
        else if (await this.remove(item, fields)) this.logger.info('expired dead letter dropped', fields);
        else counts.kept += 1;
        continue;
      }

      if (letter.certainty === 'uncertain' && !options.includeUncertain) {
        handled.set(letter.eventId, false);
        counts.held += 1;
        counts.kept += 1;
        this.logger.info('uncertain dead letter held: its first send may have arrived', fields);
        continue;
      }

      let message: OutboundMessage | undefined;
      try {
        const code = await this.sealer.unseal(letter.sealedCode, letter.eventId).catch((error: unknown) => {
          throw new RedriveFailure('unseal-failed', 'the sealed code could not be opened', { cause: error });
        });
        message = await this.composer.compose(this.toRequest(letter, code));
        if (!message)
          throw new RedriveFailure('no-template', 'no template for this channel in any fallback locale');
      } catch (error) {
        handled.set(letter.eventId, false);
        counts.failed += 1;
        counts.kept += 1;
        this.logger.warn('dead letter not resent', { ...fields, ...failureFields(error, 'compose-failed') });
        continue;
      }

      if (dryRun) {
        handled.set(letter.eventId, false);
        counts.resent += 1;
        counts.kept += 1;
        continue;
      }

      let receipt: SendReceipt;
      try {
        const now = this.clock.now();
        const budget = Math.min(options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS, letter.expiresAt - now);
        receipt = await sendWithinDeadline(this.sender, message, Deadline.after(now, budget), this.clock);
      } catch (error) {
        handled.set(letter.eventId, false);
        counts.failed += 1;
        this.logger.warn('dead letter not resent', { ...fields, ...failureFields(error, 'send-failed') });
        // Kept either way: unchanged, or re-parked as uncertain.
        await this.markUncertainIfSent(item, error, fields);
        counts.kept += 1;
        continue;
      }
      // Recorded before the delete: whatever the delete does, this run never sends this code again.
      handled.set(letter.eventId, true);
      counts.resent += 1;
      this.logger.info('dead letter resent', {
        ...fields,
        locale: message.locale,
        templateSource: message.templateSource,
        provider: receipt.provider,
        messageId: receipt.messageId,
      });
      if (!(await this.remove(item, fields))) counts.kept += 1;
    }
    return counts;
  }

  /**
   * A resend that may have reached the provider turns a `not-sent` letter into an `uncertain` one: the
   * letter is parked again as such, then the old one deleted (in that order: a crash in between leaves
   * both, and redrive dedupes by event id; the other order could lose it). True if it was re-parked.
   */
  private async markUncertainIfSent(
    item: ReceivedDeadLetter,
    error: unknown,
    fields: ReturnType<RedriveDeadLetters['logFields']>,
  ): Promise<boolean> {
    if (!(error instanceof DeliveryError) || error.certainty !== 'uncertain') return false;
    if (item.letter.certainty === 'uncertain') return false;
    const letter: DeadLetter = {
      ...item.letter,
      certainty: 'uncertain',
      error: { kind: error.kind, message: `redrive: ${error.name}: ${error.message}`.slice(0, 500) },
      attempts: item.letter.attempts + error.attempts,
      failedAt: this.clock.now(),
    };
    try {
      await this.deadLetters.park(letter);
    } catch (parkError) {
      this.logger.error('resend may have arrived but its letter could not be marked uncertain', {
        ...fields,
        error: errorName(parkError),
      });
      return false;
    }
    if (await this.remove(item, fields)) {
      this.logger.warn('dead letter re-parked as uncertain: the resend may have arrived', fields);
    }
    return true;
  }

  /** Deletes the letter; a failure is logged (the next run would resend it) and reported as false. */
  private async remove(
    item: ReceivedDeadLetter,
    fields: ReturnType<RedriveDeadLetters['logFields']>,
  ): Promise<boolean> {
    try {
      await item.delete();
      return true;
    } catch (error) {
      this.logger.error('dead letter could not be deleted', { ...fields, error: errorName(error) });
      return false;
    }
  }

  private toRequest(letter: DeadLetter, code: string): DeliveryRequest {
    // The IdP's own message (Okta's msgTemplate) is not kept in the letter, so SMS falls back through
    // our templates only; the letter's requested locale gives the same chain as the first attempt.
    return {
      eventId: letter.eventId,
      idp: letter.idp,
      purpose: letter.purpose,
      channel: letter.channel,
      phone: letter.to,
      code,
      expiresAt: new Date(letter.expiresAt),
      requestedLocale: letter.requestedLocale,
      ...(letter.firstName ? { firstName: letter.firstName } : {}),
    };
  }

  private logFields(letter: DeadLetter) {
    return {
      eventId: letter.eventId,
      idp: letter.idp,
      purpose: letter.purpose,
      channel: letter.channel,
      to: maskPhone(letter.to),
      originalKind: letter.error.kind,
      certainty: letter.certainty,
    };
  }
}

class RedriveFailure extends Error {
  override readonly name = 'RedriveFailure';
  constructor(
    readonly kind: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Kind and class only: an unseal or SDK error message is not ours to vouch for, so it is never logged. */
function failureFields(error: unknown, fallbackKind: string) {
  if (error instanceof DeliveryError)
    return { kind: error.kind, sendCertainty: error.certainty, error: error.name };
  if (error instanceof RedriveFailure) {
    return { kind: error.kind, error: error.cause === undefined ? error.name : errorName(error.cause) };
  }
  return { kind: fallbackKind, error: errorName(error) };
}

function isMalformed(item: ReceivedDeadLetter | MalformedDeadLetter): item is MalformedDeadLetter {
  return 'malformed' in item;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
