import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTextMessageCommand, SendVoiceMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';

/**
 * One piece of first-call work the init phase can do so the first request does not: see hook-warm-up.ts.
 * `run` resolves when primed and rejects when it could not be (the warm-up logs it; nothing else).
 */
export interface WarmUpPrime {
  readonly name: string;
  run(): Promise<void>;
}

interface SendingClient {
  send(command: never, options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/** The reason a primed call stops: the request handler refuses a call whose signal is already aborted. */
export class SdkPrimeStop extends Error {
  override readonly name = 'SdkPrimeStop';
}

/**
 * Sends `command` through `client`'s whole pipeline with a signal aborted before the call starts: the
 * middleware stack is resolved (and cached, with `cacheMiddleware`), the input serialised with the
 * operation's schema, the endpoint rules evaluated, credentials resolved, the signer built and the request
 * signed (SigV4's signing key cached); then the SDK's Node request handler sees the aborted signal and
 * rejects before it opens a socket or writes a byte (`NodeHttpHandler.handle` checks `aborted` first).
 * So a first request's calls of the same operation pay none of that. Nothing reaches the provider: the
 * tests prove it against a recording endpoint and a black hole.
 *
 * Belt and braces, should a handler ever send anyway: the inputs are harmless by themselves (a send is a
 * `DryRun` to a fictional number; a write's condition can never hold).
 */
export function abortedCallPrime(name: string, client: SendingClient, command: object): WarmUpPrime {
  return {
    name,
    async run() {
      const abortSignal = AbortSignal.abort(new SdkPrimeStop('init warm-up: never sent'));
      try {
        await client.send(command as never, { abortSignal });
      } catch (error) {
        // The handler's refusal is the expected end; anything else (no credentials…) is a real failure.
        if (error instanceof Error && error.name === 'AbortError') return;
        throw error;
      }
      throw new Error(`${name}: an aborted call was answered`);
    },
  };
}

// A condition no item meets: a write that was somehow sent would change nothing.
const NEVER = 'attribute_exists(#pk) AND attribute_not_exists(#pk)';

/**
 * The first request's DynamoDB writes, by operation and with the shapes the adapters send (the claim's
 * conditional PutItem, the brake counters' and the record's UpdateItem), to a key no request uses.
 */
export function dynamoWritePrimes(
  client: SendingClient,
  tables: { readonly idempotency: string; readonly counters: string },
): WarmUpPrime[] {
  const key = { pk: { S: 'init-warm-up#never-written' } };
  return [
    abortedCallPrime(
      'PutItem',
      client,
      new PutItemCommand({
        TableName: tables.idempotency,
        Item: { ...key, expiresAt: { N: '0' }, state: { S: 'in-progress' } },
        ConditionExpression: NEVER,
        ExpressionAttributeNames: { '#pk': 'pk' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
    abortedCallPrime(
      'UpdateItem',
      client,
      new UpdateItemCommand({
        TableName: tables.counters,
        Key: key,
        UpdateExpression: 'ADD #n :one SET #expiresAt = if_not_exists(#expiresAt, :zero)',
        ConditionExpression: NEVER,
        ExpressionAttributeNames: { '#pk': 'pk', '#n': 'n', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':zero': { N: '0' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    ),
  ];
}

// In the range reserved for fiction (555-0100 to 0199): no one's phone.
const FICTIONAL_NUMBER = '+12025550100';

/** End User Messaging's two send operations, as EndUserMessagingSender calls them; never sent (above). */
export function endUserMessagingPrimes(client: SendingClient): WarmUpPrime[] {
  const common = {
    DestinationPhoneNumber: FICTIONAL_NUMBER,
    OriginationIdentity: 'init-warm-up',
    TimeToLive: 60,
    Context: { eventId: 'init-warm-up', purpose: 'verification' },
    DryRun: true,
  };
  return [
    abortedCallPrime(
      'SendTextMessage',
      client,
      new SendTextMessageCommand({ ...common, MessageBody: 'warm-up', MessageType: 'TRANSACTIONAL' }),
    ),
    abortedCallPrime(
      'SendVoiceMessage',
      client,
      new SendVoiceMessageCommand({
        ...common,
        MessageBody: '<speak>warm-up</speak>',
        MessageBodyTextType: 'SSML',
      }),
    ),
  ];
}
