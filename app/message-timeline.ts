import type { ClaimRecord } from '../adapters/dynamodb/idempotency-claim-reader';
import type { MessageRecord } from '../ports/message-record';

/** One step of a message's life, as `npm run status` shows it. */
export interface TimelineStep {
  /** Epoch ms, when known. */
  readonly at?: number;
  readonly step:
    | 'received'
    | 'claimed'
    | 'rendered'
    | 'sent'
    | 'not sent'
    | 'accepted'
    | 'delivered'
    | 'failed'
    | 'unknown'
    | 'pending'
    | 'verified'
    | 'feedback'
    | 'never used'
    | 'awaiting';
  readonly detail: string;
}

/**
 * The life of one IdP event's message: claimed, rendered, sent by which provider, what the receipts
 * said, whether the user verified. Built from the idempotency claim and the ledger record, either of
 * which may be missing (a request that failed before sending has no record; an expired claim is gone).
 */
export function messageTimeline(input: {
  readonly claim?: ClaimRecord;
  readonly record?: MessageRecord;
  readonly now: number;
}): TimelineStep[] {
  const { claim, record } = input;
  const steps: TimelineStep[] = [];
  if (record?.receivedAt !== undefined) {
    steps.push({ at: record.receivedAt, step: 'received', detail: 'by API Gateway' });
  }
  if (claim) {
    steps.push({
      ...(claim.claimedAt !== undefined ? { at: claim.claimedAt } : {}),
      step: 'claimed',
      detail: `once per event and per code (claim now ${claim.state})`,
    });
  }
  const locale = record?.locale ?? claim?.outcome?.locale;
  const source = record?.templateSource ?? claim?.outcome?.templateSource;
  if (locale !== undefined) {
    const sms = record?.encoding ? `, ${record.segments ?? '?'}×${record.encoding}` : '';
    steps.push({ step: 'rendered', detail: `${locale} template from ${source ?? 'unknown'}${sms}` });
  }
  if (record?.sentAt !== undefined) {
    steps.push({
      at: record.sentAt,
      step: 'sent',
      detail: `by ${record.provider}, message ${record.messageId}, ${record.channel ?? '?'} to ${record.maskedTo ?? '?'}${record.country ? ` (${record.country})` : ''}`,
    });
  } else if (claim?.outcome?.status === 'FAILED') {
    steps.push({
      ...(claim.completedAt !== undefined ? { at: claim.completedAt } : {}),
      step: 'not sent',
      detail: `${claim.outcome.failureReason ?? 'failed'}: answered FAILED, the IdP sent its own code; see the dead letters`,
    });
  } else if (claim?.outcome?.transactionId) {
    steps.push({
      ...(claim.completedAt !== undefined ? { at: claim.completedAt } : {}),
      step: 'sent',
      detail: `by ${claim.outcome.provider ?? '?'}, message ${claim.outcome.transactionId} (not in the ledger)`,
    });
  }
  if (record?.status !== undefined) {
    const price = record.priceUsd !== undefined ? `, billed $${record.priceUsd}` : '';
    const why = record.failure ? ` (${record.failure})` : '';
    steps.push({
      ...(record.receiptAt !== undefined ? { at: record.receiptAt } : {}),
      step: record.status,
      detail: `${record.providerStatus ?? record.status}${why}${price}${record.settled ? '' : ', not final yet'}`,
    });
  }
  if (record?.conversion === 'received') {
    steps.push({
      ...(record.verifiedAt !== undefined ? { at: record.verifiedAt } : {}),
      step: 'verified',
      detail: 'the user entered the code (IdP event hook)',
    });
    if (record.feedbackAt !== undefined) {
      steps.push({ at: record.feedbackAt, step: 'feedback', detail: 'provider told: RECEIVED' });
    }
  } else if (record?.conversion === 'unconfirmed') {
    steps.push({
      ...(record.unconfirmedAt !== undefined ? { at: record.unconfirmedAt } : {}),
      step: 'never used',
      detail: 'the code expired unconfirmed (counts against conversion)',
    });
  } else if (record?.conversion === 'awaiting') {
    const left = record.codeExpiresAt !== undefined ? record.codeExpiresAt - input.now : undefined;
    steps.push({
      step: 'awaiting',
      detail:
        left !== undefined && left > 0
          ? `verification; the code expires in ${Math.ceil(left / 1000)} s`
          : 'verification; the code has expired, the next sweep settles it',
    });
  }
  return steps;
}

export function formatTimeline(title: string, steps: readonly TimelineStep[]): string {
  const lines = [title];
  for (const step of steps) {
    const at =
      step.at !== undefined ? new Date(step.at).toISOString().replace('T', ' ').replace('Z', '') : '';
    lines.push(`  ${at.padEnd(23)}  ${step.step.padEnd(10)}  ${step.detail}`);
  }
  return lines.join('\n');
}
