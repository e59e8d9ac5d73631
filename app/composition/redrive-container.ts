import { Container } from 'inversify';
import type { Clock } from '../../ports/clock';
import type { DeadLetterQueue } from '../../ports/dead-letter-queue';
import type { Logger } from '../../ports/logger';
import type { MessageSender } from '../../ports/message-sender';
import type { SecretSealer } from '../../ports/secret-sealer';
import type { TemplateStore } from '../../ports/template-store';
import type { DeliverySettings } from '../delivery-settings';
import { MessageComposer } from '../message-composer';
import { RedriveDeadLetters } from '../redrive-dead-letters';
import { TOKENS } from '../tokens';

/** What redrive needs: the hook's adapters minus idempotency and fingerprints (it bypasses the claim). */
export interface RedriveAdapters {
  readonly deadLetters: DeadLetterQueue;
  readonly sealer: SecretSealer;
  readonly templates: TemplateStore;
  readonly sender: MessageSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly delivery: DeliverySettings;
  /** Releases clients and files once the run is over. */
  close?(): Promise<void> | void;
}

export function buildRedriveContainer(adapters: RedriveAdapters): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<DeadLetterQueue>(TOKENS.DeadLetterQueue).toConstantValue(adapters.deadLetters);
  container.bind<SecretSealer>(TOKENS.SecretSealer).toConstantValue(adapters.sealer);
  container.bind<TemplateStore>(TOKENS.TemplateStore).toConstantValue(adapters.templates);
  container.bind<MessageSender>(TOKENS.MessageSender).toConstantValue(adapters.sender);
  container.bind<Clock>(TOKENS.Clock).toConstantValue(adapters.clock);
  container.bind<Logger>(TOKENS.Logger).toConstantValue(adapters.logger);
  container.bind<DeliverySettings>(TOKENS.DeliverySettings).toConstantValue(adapters.delivery);
  container.bind(MessageComposer).toSelf();
  container.bind(RedriveDeadLetters).toSelf();
  return container;
}
