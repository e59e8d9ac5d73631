/**
 * Runs one measurement in a process of its own, so no section inherits another's heap, JIT state,
 * sockets or background work, and the handlers' logs (stdout) stay out of the report.
 *   node --import tsx bench/support/section-child.ts <section> '<options JSON>'
 */
import { isSectionName, SECTIONS, type SectionMessage, type SectionOptions } from './sections';

const [name = '', optionsJson = '{}'] = process.argv.slice(2);
let message: SectionMessage;
try {
  if (!isSectionName(name)) throw new Error(`unknown section "${name}"`);
  const options = JSON.parse(optionsJson) as SectionOptions;
  message = { ok: true, result: await SECTIONS[name](options) };
} catch (error) {
  message = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
process.send?.(message, () => process.exit(message.ok ? 0 : 1));
