import type { MessageFeedback } from '../../ports/message-feedback';

/**
 * The local stand-in for End User Messaging's PutMessageFeedback: a console line saying what would be
 * sent, so the whole loop (sent → delivered → verified → feedback) shows in `npm start`.
 */
export class AnnouncingFeedback implements MessageFeedback {
  constructor(private readonly announce: (line: string) => void) {}

  async received(messageId: string): Promise<void> {
    this.announce(`feedback: ${messageId} RECEIVED (AWS: PutMessageFeedback)`);
  }
}
