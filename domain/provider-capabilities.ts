import type { Channel } from './delivery-request';
import type { OutboundMessage } from './outbound-message';
import { ssmlElementNames } from './ssml';

/**
 * Kinds of sender a provider can send from. A route may require one (alphanumeric sender ids are the
 * norm in much of Europe, forbidden in the US); providers that cannot offer it are skipped.
 */
export const SENDER_TYPES = ['phone-number', 'short-code', 'alphanumeric', 'pool'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

/** What a provider can carry; declared by its adapter, read by the router before it calls. */
export interface ProviderCapabilities {
  readonly channels: readonly Channel[];
  /** Voice only: the SSML elements its text-to-speech accepts (lower-case names, `speak` included). */
  readonly ssmlElements?: ReadonlySet<string>;
  /** Voice only: the voices it can speak with, as upper-case Polly voice ids ("JOANNA"). */
  readonly voiceIds?: ReadonlySet<string>;
  readonly senderTypes: readonly SenderType[];
}

/** Why a provider cannot carry a message, as a machine token for logs and dead letters. */
export type IncapableReason =
  | 'no-sms'
  | 'no-voice'
  | 'unsupported-ssml'
  | 'unsupported-voice'
  | 'no-sender-type';

/**
 * Whether `capabilities` can carry `message` as rendered: its channel, for voice its voice and every SSML
 * element of its body, and the sender type the route asks for. Undefined when it can.
 */
export function cannotCarry(
  capabilities: ProviderCapabilities,
  message: Pick<OutboundMessage, 'channel' | 'body' | 'bodyType' | 'voiceId'>,
  senderType?: SenderType,
): IncapableReason | undefined {
  if (!capabilities.channels.includes(message.channel))
    return message.channel === 'voice' ? 'no-voice' : 'no-sms';
  if (senderType !== undefined && !capabilities.senderTypes.includes(senderType)) return 'no-sender-type';
  if (message.channel !== 'voice') return undefined;
  if (
    message.voiceId !== undefined &&
    capabilities.voiceIds &&
    !capabilities.voiceIds.has(message.voiceId.toUpperCase())
  ) {
    return 'unsupported-voice';
  }
  if (message.bodyType === 'ssml' && capabilities.ssmlElements) {
    const allowed = capabilities.ssmlElements;
    if (ssmlElementNames(message.body).some((name) => !allowed.has(name))) return 'unsupported-ssml';
  }
  return undefined;
}
