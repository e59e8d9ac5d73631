import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Channel } from '../../domain/delivery-request';
import type { TemplatePurpose } from '../../domain/message-template';
import { ensureTable } from './ensure-table';

/**
 * Template table schema.
 *
 *   pk (S, HASH)  "<channel>#<locale>"   e.g. "sms#pt-BR"
 *   sk (S, RANGE) "<purpose>"            e.g. "verification" or "generic"
 *   body (S), voiceId (S, voice only), version (N), updatedAt (S, ISO-8601), updatedBy (S),
 *   expiry (M: unit → M: plural category → S, the {{expiry}} phrases), language (S, the wording's
 *   language when it is not the locale's: a voice template spoken in a fallback language)
 *
 * A request's whole fallback chain (locales × {purpose, generic}, one channel) is a set of exact
 * keys, so it resolves with one BatchGetItem — never a Scan, and no index to keep in sync.
 */
export const TEMPLATE_ATTRIBUTES = {
  pk: 'pk',
  sk: 'sk',
  body: 'body',
  voiceId: 'voiceId',
  expiry: 'expiry',
  language: 'language',
  version: 'version',
  updatedAt: 'updatedAt',
  updatedBy: 'updatedBy',
} as const;

export function templatePk(channel: Channel, locale: string): string {
  return `${channel}#${locale}`;
}

export function templateSk(purpose: TemplatePurpose): string {
  return purpose;
}

export async function ensureTemplateTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ created: boolean }> {
  return ensureTable(client, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TEMPLATE_ATTRIBUTES.pk, AttributeType: 'S' },
      { AttributeName: TEMPLATE_ATTRIBUTES.sk, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TEMPLATE_ATTRIBUTES.pk, KeyType: 'HASH' },
      { AttributeName: TEMPLATE_ATTRIBUTES.sk, KeyType: 'RANGE' },
    ],
  });
}
