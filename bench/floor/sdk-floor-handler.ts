/**
 * The floor under issue 10's hook cold-start budget: the two official SDK clients a sign-in cannot do
 * without, one conditional write and one send, and nothing of otp-courier. The cold-start section
 * (bench/support/floor-bundles.ts) bundles it as `sam build` bundles the hook and starts it beside the hook.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';

// The bench's stand-ins: dynalite, and the fake AWS endpoint for End User Messaging.
const dynamodb = new DynamoDBClient({ endpoint: process.env.FLOOR_DYNAMODB_ENDPOINT, maxAttempts: 1 });
const sms = new PinpointSMSVoiceV2Client({ endpoint: process.env.FLOOR_SMS_ENDPOINT, maxAttempts: 1 });

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  await dynamodb.send(
    new PutItemCommand({
      TableName: 'idempotency',
      // A new item each cold start, as a new event: the condition holds.
      Item: { pk: { S: `floor#${process.pid}#${Date.now()}` } },
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
