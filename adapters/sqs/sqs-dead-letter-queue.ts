import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DeadLetter, readDeadLetter } from '../../domain/dead-letter';
import type { CallOptions } from '../../ports/call-options';
import type { DeadLetterQueue, MalformedDeadLetter, ReceivedDeadLetter } from '../../ports/dead-letter-queue';

export interface SqsDeadLetterQueueSettings {
  readonly queueUrl: string;
  /** Seconds a received letter stays hidden from other readers while redrive handles it. Default 60. */
  readonly visibilityTimeoutSeconds?: number;
}

// SQS returns at most 10 messages per ReceiveMessage.
const SQS_MAX_BATCH = 10;

/**
 * Dead letters in an SQS queue (encrypted with KMS by the queue's configuration). The letter's passcode
 * is already sealed by the caller; eventId and kind go into message attributes so an operator can
 * filter in the console without parsing bodies.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly settings: SqsDeadLetterQueueSettings,
  ) {}

  async park(letter: DeadLetter, options: CallOptions = {}): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.settings.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: {
          eventId: { DataType: 'String', StringValue: letter.eventId },
          kind: { DataType: 'String', StringValue: letter.error.kind },
          certainty: { DataType: 'String', StringValue: letter.certainty },
        },
      }),
      { abortSignal: options.signal },
    );
  }

  async receive(max: number): Promise<readonly (ReceivedDeadLetter | MalformedDeadLetter)[]> {
    const received: (ReceivedDeadLetter | MalformedDeadLetter)[] = [];
    // SQS only honours the most recent receipt handle of a message, and with a short visibility timeout
    // a message can come back within one receive: keep the latest handle per message id.
    const handles = new Map<string, string>();
    // Several short polls, since one call returns at most 10 and may return fewer than are queued.
    while (received.length < max) {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.settings.queueUrl,
          MaxNumberOfMessages: Math.min(SQS_MAX_BATCH, max - received.length),
          VisibilityTimeout: this.settings.visibilityTimeoutSeconds ?? 60,
          WaitTimeSeconds: 0,
        }),
      );
      let fresh = 0;
      for (const m of out.Messages ?? []) {
        const { MessageId: id, ReceiptHandle: handle, Body: body } = m;
        if (id === undefined || handle === undefined || body === undefined) continue;
        const seen = handles.has(id);
        handles.set(id, handle);
        if (seen) continue;
        fresh += 1;
        const reading = readDeadLetter(body);
        if (!reading.ok) {
          // Left in the queue: it comes back after the visibility timeout for an operator to look at.
          received.push({ malformed: true, ref: `sqs:${id}`, issues: reading.issues });
          continue;
        }
        received.push({
          letter: reading.letter,
          delete: async () => {
            await this.client.send(
              new DeleteMessageCommand({ QueueUrl: this.settings.queueUrl, ReceiptHandle: handles.get(id) }),
            );
          },
        });
      }
      if (fresh === 0) break;
    }
    return received;
  }
}
