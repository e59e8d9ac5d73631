import type { PriceTable } from '../../domain/brake-policy';

/**
 * Estimated price of one OTP, in USD, by destination (ISO 3166-1 alpha-2): one SMS part (base price plus
 * typical carrier fees) or one voice call of about a minute. The spend caps add these up; they are
 * estimates for a brake, not an invoice.
 *
 * Source and date: order-of-magnitude figures compiled on 2026-11-29 from the public price lists of AWS
 * End User Messaging SMS and voice (https://aws.amazon.com/end-user-messaging/pricing/) and the older
 * Amazon SNS worldwide SMS list, as remembered by the author: the build machine has no network access, so
 * not one figure here was checked against the live page. Prices change every month and differ by
 * origination type (10DLC, toll-free, short code, sender id). Before relying on a spend cap, put your own
 * contracted prices in BRAKES_PRICES (e.g. "sms.US=0.0088,voice.GB=0.03,sms.*=0.12"); anything listed
 * there replaces the figure below.
 *
 * Unlisted destinations get the defaults, deliberately high: an expensive destination nobody listed is
 * exactly what a pumping attack looks for.
 */
export const MESSAGE_PRICES: PriceTable = {
  asOf: '2026-11-29',
  source:
    'estimates from the AWS End User Messaging / SNS public price lists, unverified (no network); override with BRAKES_PRICES',
  defaultSms: 0.12,
  defaultVoice: 0.3,
  sms: {
    US: 0.0088,
    CA: 0.0075,
    MX: 0.025,
    BR: 0.02,
    AR: 0.06,
    CO: 0.02,
    CL: 0.05,
    GB: 0.04,
    IE: 0.07,
    FR: 0.07,
    DE: 0.09,
    NL: 0.1,
    BE: 0.09,
    CH: 0.06,
    AT: 0.09,
    IT: 0.08,
    ES: 0.07,
    PT: 0.04,
    SE: 0.06,
    NO: 0.06,
    DK: 0.05,
    FI: 0.08,
    PL: 0.03,
    CZ: 0.05,
    RO: 0.07,
    GR: 0.07,
    TR: 0.03,
    IL: 0.09,
    AE: 0.06,
    SA: 0.05,
    EG: 0.15,
    ZA: 0.03,
    NG: 0.2,
    KE: 0.08,
    IN: 0.003,
    PK: 0.2,
    BD: 0.3,
    LK: 0.15,
    ID: 0.4,
    PH: 0.2,
    VN: 0.07,
    TH: 0.03,
    MY: 0.05,
    SG: 0.04,
    HK: 0.05,
    TW: 0.07,
    CN: 0.04,
    JP: 0.07,
    KR: 0.02,
    AU: 0.04,
    NZ: 0.1,
    RU: 0.5,
    UA: 0.1,
    UZ: 0.25,
    KZ: 0.15,
    AZ: 0.25,
    LV: 0.06,
    LT: 0.03,
  },
  voice: {
    US: 0.013,
    CA: 0.013,
    MX: 0.04,
    BR: 0.05,
    GB: 0.03,
    IE: 0.05,
    FR: 0.05,
    DE: 0.05,
    NL: 0.06,
    ES: 0.05,
    IT: 0.05,
    IN: 0.03,
    JP: 0.08,
    AU: 0.05,
    SG: 0.04,
  },
};
