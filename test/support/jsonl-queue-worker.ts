/**
 * One side of the two-process test of the local JSON-lines dead-letter queue: what `npm start` does when
 * it parks letters (`park`), or what `npm run redrive` does when it drains them (`drain`), for a while,
 * through the real JsonlDeadLetterQueue in its own process. Prints "ready", starts when a line arrives
 * on stdin (so that processes started one after another run at the same time), and prints one JSON line
 * of counts and ids.
 *
 *   node --import tsx test/support/jsonl-queue-worker.ts park|drain <file> <durationMs> <idPrefix>
 */
import { JsonlDeadLetterQueue } from '../../adapters/local/jsonl-dead-letter-queue';
import { sampleDeadLetter } from './sample-dead-letter';

const [role, file, duration, prefix = role] = process.argv.slice(2);
if ((role !== 'park' && role !== 'drain') || !file || !duration) {
  process.stderr.write('usage: jsonl-queue-worker.ts park|drain <file> <durationMs> <idPrefix>\n');
  process.exit(64);
}
const queue = new JsonlDeadLetterQueue(file);
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const until = Date.now() + Number(duration);
const done: string[] = [];
const refused: string[] = [];
let refusal = '';

if (role === 'park') {
  for (let n = 0; Date.now() < until; n++) {
    const eventId = `${prefix}-${n}`;
    try {
      await queue.park(
        sampleDeadLetter(eventId, { scheme: 'aes-256-gcm', keyId: 'k', ciphertext: 'c2VhbGVk' }),
      );
      done.push(eventId);
    } catch (error) {
      // What DeliverOtp does with a letter it cannot park: it logs it whole. Counted, not lost.
      refused.push(eventId);
      refusal = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
} else {
  while (Date.now() < until) {
    try {
      const received = await queue.receive(50);
      for (const item of received) {
        // A malformed line would be a lost letter: the test counts it as missing.
        if ('malformed' in item) continue;
        await item.delete();
        done.push(item.letter.eventId);
      }
      if (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    } catch (error) {
      refused.push('run');
      refusal = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
}
process.stdout.write(`${JSON.stringify({ role, done, refused, refusal })}\n`);
