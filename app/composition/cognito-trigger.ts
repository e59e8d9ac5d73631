import type { Container } from 'inversify';
import { CognitoInbound, type CognitoTriggerReply } from '../../adapters/cognito/cognito-inbound';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { SecretDecrypter } from '../../ports/secret-decrypter';
import type { CognitoConfig } from '../config/cognito-config';
import { DeliverOtp } from '../deliver-otp';
import { EventTriggerEndpoint } from '../event-trigger-endpoint';
import type { HookSettings } from '../hook-settings';
import { TOKENS } from '../tokens';

/**
 * Cognito's CustomSMSSender trigger on the hook's core: the same DeliverOtp, adapters and settings as
 * the HTTP IdPs (one container), with the Cognito adapter and its own deadline at the edge.
 */
export function buildCognitoTrigger(
  container: Container,
  settings: { readonly hook: HookSettings; readonly cognito: CognitoConfig },
  decrypter: SecretDecrypter,
): EventTriggerEndpoint<CognitoTriggerReply> {
  return new EventTriggerEndpoint(
    container.get(DeliverOtp),
    container.get<Clock>(TOKENS.Clock),
    container.get<Logger>(TOKENS.Logger),
    { ...settings.hook, deadlineMs: settings.cognito.deadlineMs },
    new CognitoInbound(decrypter, settings.cognito),
  );
}
