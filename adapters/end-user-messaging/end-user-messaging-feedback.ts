import {
  type PinpointSMSVoiceV2Client,
  PutMessageFeedbackCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { CallOptions } from '../../ports/call-options';
import type { MessageFeedback } from '../../ports/message-feedback';

/**
 * Marks a message RECEIVED with PutMessageFeedback. Only messages sent with MessageFeedbackEnabled have
 * a feedback record; End User Messaging sets the ones nobody confirms to FAILED an hour after sending,
 * so there is no call for "never used". Setting RECEIVED twice is harmless: retries are safe.
 */
export class EndUserMessagingFeedback implements MessageFeedback {
  constructor(private readonly client: PinpointSMSVoiceV2Client) {}

  async received(messageId: string, options: CallOptions = {}): Promise<void> {
    await this.client.send(
      new PutMessageFeedbackCommand({ MessageId: messageId, MessageFeedbackStatus: 'RECEIVED' }),
      { abortSignal: options.signal },
    );
  }
}
