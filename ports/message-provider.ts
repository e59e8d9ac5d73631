import type { ProviderCapabilities } from '../domain/provider-capabilities';
import type { MessageSender } from './message-sender';

/**
 * One provider the router can send through. Unlike a plain MessageSender, it says who it is and what it
 * can carry, and it makes exactly one provider call per `send` (no retry of its own): retry, circuit
 * breaking and failover are the router's, the same for every provider. Its errors are DeliveryErrors whose
 * certainty it decides from what was on the wire.
 */
export interface MessageProvider extends MessageSender {
  /** The name reported in replies, logs and dead letters, and used in the route table. */
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
}
