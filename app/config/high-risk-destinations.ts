/**
 * An EXAMPLE list of high-risk destinations to start a block list from; nothing uses it until you put it
 * in app/config/country-policy.ts. Blocking a country refuses every user there, so check your own traffic
 * first (the brakes log every send with its country; CloudWatch Logs Insights can count them).
 *
 * Compiled on 2026-11-29 from these public sources (reference, not an authoritative feed; they do not
 * publish one list, and fraud moves):
 *   [NANP] The North American Numbering Plan's member list (nationalnanpa.com): these countries and
 *          territories share calling code +1 but are billed as international calls, the classic
 *          "one-ring" and revenue-share destinations hidden behind a "+1". US territories (PR, VI, GU,
 *          MP, AS) bill as domestic and are not listed. The same reasoning is spelled out in, e.g., the
 *          MemberJunction telephony adapters' DEFAULT_BLOCKED_PREFIXES documentation.
 *   [TWILIO] Twilio Support, "SMS Traffic Pumping Fraud" and the Voice Dialing Geographic Permissions
 *          documentation (twilio.com/docs/voice/api/dialing-permissions-resources): high-risk prefixes are
 *          concentrated in small-population destinations with high termination rates.
 *   [CFCA] Communications Fraud Control Association, Global Fraud Loss Survey: International Revenue
 *          Share Fraud (IRSF) among the top fraud types; terminating countries named there include the
 *          Pacific and West African destinations below.
 *   [AWS]  AWS End User Messaging SMS, "Protect configurations" and the AWS Messaging blog on SMS pumping
 *          (artificially inflated traffic): block countries you do not serve.
 * Reasons per entry are the author's reading of those sources, not a quote from them.
 */

/** +1 destinations outside the US and Canada, billed internationally [NANP]. */
export const NANP_INTERNATIONAL = [
  'AG', // Antigua and Barbuda
  'AI', // Anguilla
  'BB', // Barbados
  'BM', // Bermuda
  'BS', // Bahamas
  'DM', // Dominica
  'DO', // Dominican Republic
  'GD', // Grenada
  'JM', // Jamaica (+1876: the "one-ring" scam's best-known code)
  'KN', // Saint Kitts and Nevis
  'KY', // Cayman Islands
  'LC', // Saint Lucia
  'MS', // Montserrat
  'SX', // Sint Maarten
  'TC', // Turks and Caicos Islands
  'TT', // Trinidad and Tobago
  'VC', // Saint Vincent and the Grenadines
  'VG', // British Virgin Islands
] as const;

/** Destinations with high termination rates that IRSF and SMS pumping guidance keeps naming [TWILIO, CFCA]. */
export const IRSF_HIGH_RISK = [
  'CU', // Cuba: among the highest termination rates worldwide
  'SO', // Somalia
  'GN', // Guinea
  'SL', // Sierra Leone
  'LR', // Liberia
  'GM', // Gambia
  'PG', // Papua New Guinea
  'SB', // Solomon Islands
  'TO', // Tonga
  'NR', // Nauru
  'VU', // Vanuatu
  'TV', // Tuvalu
  'KI', // Kiribati
  'CK', // Cook Islands
  'NU', // Niue
  'TK', // Tokelau
  'MV', // Maldives
  'SC', // Seychelles
  'ST', // Sao Tome and Principe
  'BY', // Belarus
  'UZ', // Uzbekistan
  'TJ', // Tajikistan
  'KG', // Kyrgyzstan
  'AZ', // Azerbaijan
  'LV', // Latvia: premium and mobile ranges repeatedly abused in SMS pumping
  'LT', // Lithuania: the same
] as const;

/** Both lists together: a block list for an organisation whose users are not in any of them. */
export const HIGH_RISK_EXAMPLE: readonly string[] = [...NANP_INTERNATIONAL, ...IRSF_HIGH_RISK];
