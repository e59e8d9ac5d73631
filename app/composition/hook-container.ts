import { Container } from 'inversify';
import type { Clock } from '../../ports/clock';
import type { DeadLetterQueue } from '../../ports/dead-letter-queue';
import type { Fingerprinter } from '../../ports/fingerprinter';
import type { IdempotencyStore } from '../../ports/idempotency-store';
import type { Logger } from '../../ports/logger';
import type { MessageSender } from '../../ports/message-sender';
import type { RateCounterStore } from '../../ports/rate-counter-store';
import type { SecretSealer } from '../../ports/secret-sealer';
import type { TemplateStore } from '../../ports/template-store';
import { Brakes } from '../brakes';
import type { BrakesSettings } from '../brakes-settings';
import { DeliverOtp } from '../deliver-otp';
import type { DeliverySettings } from '../delivery-settings';
import type { HookSettings } from '../hook-settings';
import { HttpHooks } from '../http-hook-routes';
import { MessageComposer } from '../message-composer';
import { TelephonyHookHandler } from '../telephony-hook-handler';
import { TOKENS } from '../tokens';

/** The adapters one deployment (AWS or local) plugs into the hook. */
export interface HookAdapters {
  readonly templates: TemplateStore;
  readonly sender: MessageSender;
  readonly idempotency: IdempotencyStore;
  readonly deadLetters: DeadLetterQueue;
  readonly sealer: SecretSealer;
  readonly fingerprinter: Fingerprinter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly delivery: DeliverySettings;
  readonly hook: HookSettings;
  /** SMS pumping and toll-fraud brakes; every deployment passes them (tests may leave them out). */
  readonly brakes?: { readonly counters: RateCounterStore; readonly settings: BrakesSettings };
}

/**
 * The composition root of the hook. Adapters are built by the caller (they differ between AWS and
 * the local stack, and some need async start-up); the use case and the edge are wired here.
 */
export function buildHookContainer(adapters: HookAdapters): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<TemplateStore>(TOKENS.TemplateStore).toConstantValue(adapters.templates);
  container.bind<MessageSender>(TOKENS.MessageSender).toConstantValue(adapters.sender);
  container.bind<IdempotencyStore>(TOKENS.IdempotencyStore).toConstantValue(adapters.idempotency);
  container.bind<DeadLetterQueue>(TOKENS.DeadLetterQueue).toConstantValue(adapters.deadLetters);
  container.bind<SecretSealer>(TOKENS.SecretSealer).toConstantValue(adapters.sealer);
  container.bind<Fingerprinter>(TOKENS.Fingerprinter).toConstantValue(adapters.fingerprinter);
  container.bind<Clock>(TOKENS.Clock).toConstantValue(adapters.clock);
  container.bind<Logger>(TOKENS.Logger).toConstantValue(adapters.logger);
  container.bind<DeliverySettings>(TOKENS.DeliverySettings).toConstantValue(adapters.delivery);
  container.bind<HookSettings>(TOKENS.HookSettings).toConstantValue(adapters.hook);
  if (adapters.brakes) {
    container.bind<RateCounterStore>(TOKENS.RateCounterStore).toConstantValue(adapters.brakes.counters);
    container.bind<BrakesSettings>(TOKENS.BrakesSettings).toConstantValue(adapters.brakes.settings);
    container.bind(Brakes).toSelf();
  }
  container.bind(MessageComposer).toSelf();
  container.bind(DeliverOtp).toSelf();
  container.bind(TelephonyHookHandler).toSelf();
  container.bind(HttpHooks).toSelf();
  return container;
}
