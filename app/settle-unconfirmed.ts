import type { CallOptions } from '../ports/call-options';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { MessageLedger } from '../ports/message-ledger';
import type { Metrics } from '../ports/metrics';
import { conversionMeasurement } from './metric-catalogue';

export interface SettleSettings {
  /**
   * How long after a code expired its message is settled as never used: time for a verification report
   * delayed in transit (Okta's event hooks promise no maximum delay) to land first. Default 10 minutes.
   */
  readonly graceMs: number;
  /** Messages settled per run at most. */
  readonly batchSize: number;
}

/**
 * Settles messages nobody confirmed once their code has expired: conversion 0 for that country. End
 * User Messaging does the same to its own feedback records an hour after sending, by itself.
 */
export class SettleUnconfirmed {
  constructor(
    private readonly ledger: MessageLedger,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: SettleSettings,
  ) {}

  async run(options: CallOptions = {}): Promise<number> {
    const settled = await this.ledger.settleExpired(
      this.clock.now() - this.settings.graceMs,
      this.settings.batchSize,
      options,
    );
    for (const record of settled) {
      try {
        this.metrics.publish(conversionMeasurement(record, 'unconfirmed'));
      } catch (error) {
        this.logger.warn('could not publish metrics', {
          error: error instanceof Error ? error.name : 'Error',
        });
      }
    }
    if (settled.length > 0) this.logger.info('settled messages never confirmed', { count: settled.length });
    return settled.length;
  }
}
