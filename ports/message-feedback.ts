import type { CallOptions } from './call-options';

/**
 * Tells a provider that a message it carried was received (the user used its code), feeding the
 * provider's own conversion metrics (End User Messaging's PutMessageFeedback).
 */
export interface MessageFeedback {
  received(messageId: string, options?: CallOptions): Promise<void>;
}
