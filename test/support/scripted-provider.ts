import type { FailureCertainty } from '../../domain/delivery-certainty';
import { DeliveryError, type DeliveryFailureKind } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import type { ProviderCapabilities } from '../../domain/provider-capabilities';
import type { MessageProvider } from '../../ports/message-provider';
import type { SendOptions, SendReceipt } from '../../ports/message-sender';

/** What one call to a scripted provider does. */
export type Step =
  | { readonly type: 'accept' }
  | {
      readonly type: 'fail';
      readonly kind: DeliveryFailureKind;
      readonly certainty: FailureCertainty;
      /** Fails only after this long (a slow refusal). */
      readonly afterMs?: number;
    }
  /** Never answers; rejects as uncertain when aborted (the request had left). */
  | { readonly type: 'hang' };

export const accept: Step = { type: 'accept' };
export const refuse = (kind: DeliveryFailureKind = 'provider-unavailable', afterMs?: number): Step => ({
  type: 'fail',
  kind,
  certainty: 'not-sent',
  ...(afterMs === undefined ? {} : { afterMs }),
});
export const lose = (kind: DeliveryFailureKind = 'network'): Step => ({
  type: 'fail',
  kind,
  certainty: 'uncertain',
});
export const hang: Step = { type: 'hang' };

export const ANY_CHANNEL: ProviderCapabilities = {
  channels: ['sms', 'voice'],
  senderTypes: ['phone-number', 'short-code', 'alphanumeric', 'pool'],
};

/**
 * A provider that plays a script, one step per call (the last step repeats), and remembers each call:
 * what the router asked of it and what it did. Accepted calls are "messages on the phone".
 */
export class ScriptedProvider implements MessageProvider {
  readonly calls: {
    eventId: string;
    step: Step['type'];
    /** What the call did: sent, or how its failure ended (a hang ends uncertain once aborted). */
    outcome: 'sent' | FailureCertainty;
    previousCalls: number;
    at: number;
  }[] = [];
  private script: Step[];

  constructor(
    readonly name: string,
    script: Step[] = [accept],
    readonly capabilities: ProviderCapabilities = ANY_CHANNEL,
  ) {
    this.script = [...script];
  }

  /** Replaces what the next calls do. */
  play(...script: Step[]): this {
    this.script = [...script];
    return this;
  }

  get accepted(): number {
    return this.calls.filter((c) => c.step === 'accept').length;
  }

  async send(message: OutboundMessage, options: SendOptions): Promise<SendReceipt> {
    const step = (this.script.length > 1 ? this.script.shift() : this.script[0]) ?? accept;
    this.calls.push({
      eventId: message.eventId,
      step: step.type,
      outcome: step.type === 'accept' ? 'sent' : step.type === 'fail' ? step.certainty : 'uncertain',
      previousCalls: options.previousCalls ?? 0,
      at: Date.now(),
    });
    if (step.type === 'accept') {
      return {
        provider: this.name,
        messageId: `${this.name}-${this.calls.length}`,
        status: 'SUCCESSFUL',
        attempts: 1,
      };
    }
    if (step.type === 'fail') {
      if (step.afterMs) await new Promise((resolve) => setTimeout(resolve, step.afterMs));
      throw new DeliveryError(step.kind, step.certainty, `${this.name} ${step.kind}`);
    }
    return new Promise<SendReceipt>((_, reject) => {
      const abort = () => reject(new DeliveryError('deadline-exceeded', 'uncertain', `${this.name} hung`));
      if (options.signal.aborted) abort();
      else options.signal.addEventListener('abort', abort, { once: true });
    });
  }
}
