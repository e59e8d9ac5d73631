/**
 * A local stand-in for the AWS JSON-protocol services that have no local engine (SMS-Voice v2, SQS, KMS,
 * Secrets Manager).
 * The real SDK v3 clients point at it through `endpoint`, so serialisation, error deserialisation,
 * abort and timeout handling under test are the SDK's own — only the far side of the socket is fake.
 *
 * It can be told to misbehave per call (queued faults) or by probability with a seeded RNG, so
 * fault-injection runs are reproducible.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from './seeded-random';

export type FaultAction =
  /** 400 ThrottlingException (retryable). */
  | { readonly type: 'throttle' }
  /** 500 InternalServerException (retryable). */
  | { readonly type: 'server-error' }
  /** Any modelled (or unmodelled) error, e.g. ConflictException with Reason DESTINATION_PHONE_NUMBER_OPTED_OUT. */
  | {
      readonly type: 'error';
      readonly code: string;
      readonly status?: number;
      readonly reason?: string;
      readonly message?: string;
    }
  /** Answer normally, but only after `ms`. */
  | { readonly type: 'delay'; readonly ms: number }
  /** Never answer; the socket stays open until the client gives up or the endpoint closes. */
  | { readonly type: 'hang' }
  /** Destroy the socket without a response (the client sees ECONNRESET / socket hang up). */
  | { readonly type: 'reset' };

export interface FaultMatch {
  /**
   * Which calls the fault applies to: a full target ("PinpointSMSVoiceV2.SendTextMessage"), an operation
   * ("SendTextMessage") or a service prefix ("PinpointSMSVoiceV2"). Omitted: every call.
   */
  readonly target?: string;
}

export interface RecordedRequest {
  /** X-Amz-Target, e.g. "PinpointSMSVoiceV2.SendTextMessage". */
  readonly target: string;
  readonly operation: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body text, as the SDK serialised it. */
  readonly rawBody: string;
  readonly body: Record<string, unknown>;
  /** What the endpoint did: "ok" or the fault type. */
  outcome: string;
  readonly receivedAt: number;
}

export interface StoredSqsMessage {
  readonly queueUrl: string;
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Record<string, unknown>;
  receiptHandle?: string;
  invisibleUntil: number;
}

interface QueuedFault extends FaultMatch {
  readonly action: FaultAction;
  remaining: number;
}

interface RandomFault extends FaultMatch {
  readonly action: FaultAction;
  readonly probability: number;
}

class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

function matches(match: FaultMatch, target: string): boolean {
  const t = match.target;
  if (t === undefined) return true;
  return target === t || target.endsWith(`.${t}`) || target.startsWith(`${t}.`);
}

export interface FakeAwsEndpointOptions {
  /** Seed for probabilistic faults. */
  readonly seed?: number;
}

export class FakeAwsEndpoint {
  readonly requests: RecordedRequest[] = [];
  private readonly queued: QueuedFault[] = [];
  private readonly random: RandomFault[] = [];
  private readonly sqs: StoredSqsMessage[] = [];
  /** Secrets Manager: SecretString by SecretId (name or ARN). */
  readonly secrets = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();
  // Per-instance root secret from which every KMS key's material is derived (stable per KeyId).
  private readonly kmsRoot = randomBytes(32);
  private rng: () => number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    seed: number,
  ) {
    this.rng = seededRandom(seed);
  }

  static async start(options: FakeAwsEndpointOptions = {}): Promise<FakeAwsEndpoint> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const endpoint = new FakeAwsEndpoint(server, `http://127.0.0.1:${port}`, options.seed ?? 1);
    server.on('connection', (socket) => {
      endpoint.sockets.add(socket);
      socket.on('close', () => endpoint.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      void endpoint.handle(req, res);
    });
    return endpoint;
  }

  /** The next `times` matching calls get `action` (queued faults are consumed in order). */
  failNext(action: FaultAction, options: FaultMatch & { times?: number } = {}): this {
    this.queued.push({ action, target: options.target, remaining: options.times ?? 1 });
    return this;
  }

  /** Every matching call gets `action` with `probability`, drawn from the seeded RNG. */
  failRandomly(action: FaultAction, probability: number, options: FaultMatch = {}): this {
    this.random.push({ action, probability, target: options.target });
    return this;
  }

  /** Forgets faults, recorded requests and queued messages; reseeds the RNG. */
  reset(seed = 1): void {
    this.queued.length = 0;
    this.random.length = 0;
    this.requests.length = 0;
    this.sqs.length = 0;
    this.rng = seededRandom(seed);
  }

  requestsFor(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  sqsMessages(queueUrl?: string): readonly StoredSqsMessage[] {
    return this.sqs.filter((m) => queueUrl === undefined || m.queueUrl === queueUrl);
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pickFault(target: string): FaultAction | undefined {
    const i = this.queued.findIndex((q) => q.remaining > 0 && matches(q, target));
    if (i >= 0) {
      const q = this.queued[i] as QueuedFault;
      q.remaining -= 1;
      if (q.remaining === 0) this.queued.splice(i, 1);
      return q.action;
    }
    for (const r of this.random) {
      if (matches(r, target) && this.rng() < r.probability) return r.action;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.split('.').pop() ?? '';
    // awsJson1_1 (KMS) and awsJson1_0 (SMS-Voice v2, SQS) differ only in the content type.
    const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.0');
    let body: Record<string, unknown> = {};
    try {
      body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const record: RecordedRequest = {
      target,
      operation,
      headers: { ...req.headers },
      rawBody,
      body,
      outcome: 'ok',
      receivedAt: Date.now(),
    };
    this.requests.push(record);

    const fault = this.pickFault(target);
    if (fault) record.outcome = fault.type;
    try {
      switch (fault?.type) {
        case 'hang':
          this.hung.add(res);
          res.on('close', () => this.hung.delete(res));
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'throttle':
          throw new AwsError(400, 'ThrottlingException', 'Rate exceeded');
        case 'server-error':
          throw new AwsError(500, 'InternalServerException', 'Internal failure');
        case 'error':
          throw new AwsError(
            fault.status ?? (fault.code === 'InternalServerException' ? 500 : 400),
            fault.code,
            fault.message ?? `${fault.code} (injected)`,
            fault.reason === undefined ? {} : { Reason: fault.reason },
          );
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          if (res.destroyed || req.socket.destroyed) return;
          break;
        default:
          break;
      }
      const output = this.dispatch(target, operation, body);
      this.reply(res, 200, contentType, output);
    } catch (error) {
      if (error instanceof AwsError) {
        // The exact shape the SDK's JSON-RPC protocol deserialises: `__type` picks the exception class,
        // `message` its message, other members (e.g. Reason) are copied onto it.
        this.reply(res, error.status, contentType, {
          __type: error.code,
          message: error.message,
          ...error.extra,
        });
      } else {
        this.reply(res, 500, contentType, { __type: 'InternalServerException', message: String(error) });
      }
    }
  }

  private reply(res: ServerResponse, status: number, contentType: string, payload: unknown): void {
    if (res.destroyed) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  }

  private dispatch(
    target: string,
    operation: string,
    body: Record<string, unknown>,
  ): Record<string, unknown> {
    const service = target.split('.')[0];
    switch (service) {
      case 'PinpointSMSVoiceV2':
        return this.smsVoice(operation, body);
      case 'AmazonSQS':
        return this.sqsOperation(operation, body);
      case 'TrentService':
        return this.kms(operation, body);
      case 'secretsmanager':
        return this.secretsManager(operation, body);
      default:
        throw new AwsError(400, 'UnknownOperationException', `unknown target ${target}`);
    }
  }

  private smsVoice(operation: string, body: Record<string, unknown>): Record<string, unknown> {
    if (operation !== 'SendTextMessage' && operation !== 'SendVoiceMessage') {
      throw new AwsError(400, 'UnknownOperationException', `unsupported ${operation}`);
    }
    if (typeof body.DestinationPhoneNumber !== 'string') {
      throw new AwsError(400, 'ValidationException', 'DestinationPhoneNumber is required', {
        Reason: 'MISSING_PARAMETER',
      });
    }
    return { MessageId: randomUUID() };
  }

  private sqsOperation(operation: string, body: Record<string, unknown>): Record<string, unknown> {
    const queueUrl = String(body.QueueUrl ?? '');
    const now = Date.now();
    switch (operation) {
      case 'SendMessage': {
        const messageBody = String(body.MessageBody ?? '');
        const message: StoredSqsMessage = {
          queueUrl,
          messageId: randomUUID(),
          body: messageBody,
          attributes: (body.MessageAttributes as Record<string, unknown> | undefined) ?? {},
          invisibleUntil: 0,
        };
        this.sqs.push(message);
        // The SDK checks this MD5 against the body it sent.
        return { MessageId: message.messageId, MD5OfMessageBody: md5(messageBody) };
      }
      case 'ReceiveMessage': {
        const max = Number(body.MaxNumberOfMessages ?? 1);
        const visibility = Number(body.VisibilityTimeout ?? 30);
        const visible = this.sqs
          .filter((m) => m.queueUrl === queueUrl && m.invisibleUntil <= now)
          .slice(0, max);
        const names = (body.MessageAttributeNames as string[] | undefined) ?? [];
        const wantAll = names.includes('All') || names.includes('.*');
        return {
          Messages: visible.map((m) => {
            m.receiptHandle = randomUUID();
            m.invisibleUntil = now + visibility * 1000;
            const attributes = Object.fromEntries(
              Object.entries(m.attributes).filter(([k]) => wantAll || names.includes(k)),
            );
            return {
              MessageId: m.messageId,
              ReceiptHandle: m.receiptHandle,
              MD5OfBody: md5(m.body),
              Body: m.body,
              ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
            };
          }),
        };
      }
      case 'DeleteMessage': {
        const i = this.sqs.findIndex(
          (m) => m.queueUrl === queueUrl && m.receiptHandle === body.ReceiptHandle,
        );
        if (i < 0) throw new AwsError(400, 'ReceiptHandleIsInvalid', 'The receipt handle is not valid');
        this.sqs.splice(i, 1);
        return {};
      }
      default:
        throw new AwsError(400, 'UnknownOperationException', `unsupported ${operation}`);
    }
  }

  private secretsManager(operation: string, body: Record<string, unknown>): Record<string, unknown> {
    if (operation !== 'GetSecretValue')
      throw new AwsError(400, 'UnknownOperationException', `unsupported ${operation}`);
    const id = String(body.SecretId ?? '');
    const value = this.secrets.get(id);
    if (value === undefined) {
      throw new AwsError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return {
      ARN: id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`,
      Name: id,
      SecretString: value,
      VersionId: 'v1',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: Math.floor(Date.now() / 1000),
    };
  }

  private keyArn(keyId: string): string {
    return keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
  }

  private keyMaterial(keyArn: string, purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.kmsRoot, Buffer.alloc(0), `${purpose}:${keyArn}`, 32));
  }

  private kms(operation: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'Encrypt': {
        const arn = this.keyArn(String(body.KeyId ?? ''));
        const plaintext = Buffer.from(String(body.Plaintext ?? ''), 'base64');
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', this.keyMaterial(arn, 'encrypt'), iv);
        cipher.setAAD(contextAad(body.EncryptionContext));
        const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        const arnBytes = Buffer.from(arn, 'utf8');
        // Like real KMS, the blob names its key, so Decrypt needs no KeyId.
        const blob = Buffer.concat([
          Buffer.from([arnBytes.length]),
          arnBytes,
          iv,
          cipher.getAuthTag(),
          ciphertext,
        ]);
        return {
          CiphertextBlob: blob.toString('base64'),
          KeyId: arn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      }
      case 'GenerateDataKey': {
        // What the Encryption SDK's KMS keyring asks for when it encrypts (Cognito does, for each code).
        const dataKey = randomBytes(Number(body.NumberOfBytes ?? 32));
        const sealed = this.kms('Encrypt', {
          KeyId: body.KeyId,
          Plaintext: dataKey.toString('base64'),
          EncryptionContext: body.EncryptionContext,
        });
        return { ...sealed, Plaintext: dataKey.toString('base64') };
      }
      case 'Decrypt': {
        const blob = Buffer.from(String(body.CiphertextBlob ?? ''), 'base64');
        try {
          const arnLength = blob.readUInt8(0);
          const arn = blob.subarray(1, 1 + arnLength).toString('utf8');
          if (typeof body.KeyId === 'string' && this.keyArn(body.KeyId) !== arn) {
            throw new AwsError(
              400,
              'IncorrectKeyException',
              'The key ID in the request does not identify the key',
            );
          }
          const iv = blob.subarray(1 + arnLength, 13 + arnLength);
          const tag = blob.subarray(13 + arnLength, 29 + arnLength);
          const decipher = createDecipheriv('aes-256-gcm', this.keyMaterial(arn, 'encrypt'), iv);
          decipher.setAAD(contextAad(body.EncryptionContext));
          decipher.setAuthTag(tag);
          const plaintext = Buffer.concat([decipher.update(blob.subarray(29 + arnLength)), decipher.final()]);
          return {
            Plaintext: plaintext.toString('base64'),
            KeyId: arn,
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          };
        } catch (error) {
          if (error instanceof AwsError) throw error;
          throw new AwsError(400, 'InvalidCiphertextException', 'The ciphertext is invalid');
        }
      }
      case 'GenerateMac': {
        const arn = this.keyArn(String(body.KeyId ?? ''));
        if (body.MacAlgorithm !== 'HMAC_SHA_256') {
          throw new AwsError(400, 'InvalidKeyUsageException', 'this fake supports HMAC_SHA_256 only');
        }
        const mac = createHmac('sha256', this.keyMaterial(arn, 'mac'))
          .update(Buffer.from(String(body.Message ?? ''), 'base64'))
          .digest();
        return { Mac: mac.toString('base64'), MacAlgorithm: 'HMAC_SHA_256', KeyId: arn };
      }
      default:
        throw new AwsError(400, 'UnknownOperationException', `unsupported ${operation}`);
    }
  }
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** A canonical byte form of an encryption context, so key order does not matter (as in KMS). */
function contextAad(context: unknown): Buffer {
  const entries = Object.entries((context as Record<string, string> | undefined) ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

/** What every SDK client needs to talk to the fake: its URL, a region and dummy static credentials. */
export function fakeAwsClientConfig(endpoint: FakeAwsEndpoint) {
  return {
    endpoint: endpoint.url,
    region: REGION,
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
  } as const;
}
