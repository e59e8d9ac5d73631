import { inject, injectable } from 'inversify';
import { composeMessage } from '../domain/compose-message';
import { acceptsGenericTemplate, type DeliveryRequest } from '../domain/delivery-request';
import { localeFallbackChain, normaliseLocale } from '../domain/locale';
import type { OutboundMessage } from '../domain/outbound-message';
import { selectTemplate } from '../domain/template-selection';
import type { Clock } from '../ports/clock';
import type { TemplateStore } from '../ports/template-store';
import type { DeliverySettings } from './delivery-settings';
import { TOKENS } from './tokens';

/**
 * Turns a request into the message to send: one template query for the whole locale fallback chain
 * (purpose-specific and generic), the domain's choice among what came back, then rendering.
 * Shared by first delivery and redrive so a redriven code reads exactly like the original would have.
 */
@injectable()
export class MessageComposer {
  constructor(
    @inject(TOKENS.TemplateStore) private readonly templates: TemplateStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.DeliverySettings) private readonly settings: DeliverySettings,
  ) {}

  /** Undefined when no template exists for the channel in any locale of the chain. */
  async compose(request: DeliveryRequest): Promise<OutboundMessage | undefined> {
    const locales = localeFallbackChain(request.requestedLocale, this.settings.defaultLocale);
    const candidates = await this.templates.find({
      channel: request.channel,
      locales,
      purposes: acceptsGenericTemplate(request.purpose) ? [request.purpose, 'generic'] : [request.purpose],
    });
    const requested = normaliseLocale(request.requestedLocale) ?? this.settings.defaultLocale;
    const template = selectTemplate(candidates, {
      locales,
      defaultLocale: this.settings.defaultLocale,
      purpose: request.purpose,
      channel: request.channel,
      // Only an SMS can fall back to the IdP's message; built only if selection gets that far.
      ...(request.channel === 'sms' ? { idpMessageOf: { request, locale: requested } } : {}),
    });
    if (!template) return undefined;
    return composeMessage(request, template, { brand: this.settings.brand, now: this.clock.now() });
  }
}
