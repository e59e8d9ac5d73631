/**
 * The floor under issue 10's hook cold-start budget: the two official SDK clients a sign-in cannot do
 * without, one conditional write and one send, and nothing of otp-courier. bench/sdk-cold-start-floor.ts
 * bundles it as `sam build` bundles the hook and starts it in fresh processes.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';

const endpoint = process.env.FLOOR_ENDPOINT;
const dynamodb = new DynamoDBClient({ endpoint, maxAttempts: 1 });
const sms = new PinpointSMSVoiceV2Client({ endpoint, maxAttempts: 1 });

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  await dynamodb.send(
    new PutItemCommand({
      TableName: 'idempotency',
      Item: { pk: { S: 'event#floor' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  const sent = await sms.send(
    new SendTextMessageCommand({
      DestinationPhoneNumber: '+12065550100',
      MessageBody: 'Your code is 000000',
    }),
  );
  return { statusCode: 200, body: JSON.stringify({ sent: sent.MessageId !== undefined }) };
};
