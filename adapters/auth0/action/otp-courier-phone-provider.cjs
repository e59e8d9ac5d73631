/**
 * otp-courier as Auth0's custom phone provider.
 *
 * Paste this file, as it is, into the Action of the `custom-phone-provider` trigger (Branding → Phone
 * Provider → Custom). It has no npm dependencies: Node 18+'s fetch, AbortController and URLSearchParams.
 *
 * Secrets (Action → Secrets):
 *   AUTH0_DOMAIN          the tenant's domain, e.g. "my-tenant.eu.auth0.com" (where /oauth/token is)
 *   AUTH0_CLIENT_ID       the machine-to-machine application authorised for the otp-courier API
 *   AUTH0_CLIENT_SECRET   its secret
 *   OTP_COURIER_AUDIENCE  the otp-courier API's identifier in Auth0 (the token's `aud`)
 *   OTP_COURIER_URL       otp-courier's base URL, e.g. "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
 *   OTP_COURIER_BUDGET_MS optional: the whole Action's time budget, 10000 by default, at most 15000
 *
 * What it does, per notification: get a client-credentials access token (kept in api.cache until a
 * minute before it expires), POST the notification to {OTP_COURIER_URL}/auth0/phone-message, and map
 * the reply. A delivery that did not happen throws an Error (so the execution shows as failed in
 * Auth0's logs) after telling Auth0, through api.notification, whether calling again can help:
 * `retry` when otp-courier gave no verdict (timeout, network, 5xx, 429) — otp-courier deduplicates by
 * (tenant, type, method, recipient, code), so a repeated call never sends twice — and `drop` when it
 * answered that the message was not delivered or the request is unusable (a repeat would get the same
 * answer). No message, log line or error here ever holds the code or the full phone number.
 *
 * Every call is bounded by its own AbortController and by one budget for the whole execution, well
 * inside Auth0's 20 s limit for a flow.
 */
'use strict';

const ROUTE_PATH = '/auth0/phone-message';
const DEFAULT_BUDGET_MS = 10000;
/** Auth0 ends a flow's execution at 20 s; the rest is Auth0's own time around the Action. */
const MAX_BUDGET_MS = 15000;
const MIN_BUDGET_MS = 100;
/** The token call gets at most this much, so a slow token endpoint leaves time to deliver. */
const TOKEN_CALL_MAX_MS = 4000;
/** A cached token is renewed this long before it expires, so it never expires in flight. */
const TOKEN_RENEW_BEFORE_MS = 60000;
/** api.cache keys are at most 64 bytes; values at most 4 kB. */
const CACHE_KEY_MAX = 64;
const CACHE_VALUE_MAX = 4096;
const MAX_REPLY_CHARS = 16384;
const SAFE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

class DeliveryNotConfirmed extends Error {
  /**
   * @param {string} message safe: built here from constants and machine tokens only
   * @param {'retry' | 'drop'} intent whether calling the Action again can help
   */
  constructor(message, intent) {
    super(message);
    this.name = 'OtpCourierDeliveryError';
    this.intent = intent;
  }
}

/**
 * @param {any} event the custom-phone-provider event
 * @param {any} api the custom-phone-provider API object
 */
exports.onExecuteCustomPhoneProvider = async (event, api) => {
  const deadline = { at: 0 };
  try {
    const config = readConfig(event?.secrets || {});
    deadline.at = Date.now() + config.budgetMs;
    const body = JSON.stringify(envelopeOf(event));

    let token = await accessToken(config, api, deadline, false);
    let answer = await postNotification(config, token.value, body, deadline);
    if (answer.status === 401 && token.fromCache) {
      // Nothing was delivered (the authorizer refused the call): the cached token may have been revoked
      // or its key rotated. One fresh token, one more try.
      await forgetToken(config, api);
      token = await accessToken(config, api, deadline, true);
      answer = await postNotification(config, token.value, body, deadline);
    }
    settle(answer);
  } catch (error) {
    const failure =
      error instanceof DeliveryNotConfirmed
        ? error
        : new DeliveryNotConfirmed(`otp-courier: unexpected ${safeName(error)}`, 'drop');
    tell(api, failure);
    throw failure;
  }
};

/** @param {Record<string, unknown>} secrets */
function readConfig(secrets) {
  const required = (name) => {
    const value = secrets[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new DeliveryNotConfirmed(`otp-courier: secret ${name} is not set`, 'drop');
    }
    return value.trim();
  };
  const domain = required('AUTH0_DOMAIN');
  const budget = Number(secrets.OTP_COURIER_BUDGET_MS);
  return {
    tokenUrl: `${baseUrl(domain, 'AUTH0_DOMAIN')}/oauth/token`,
    clientId: required('AUTH0_CLIENT_ID'),
    clientSecret: required('AUTH0_CLIENT_SECRET'),
    audience: required('OTP_COURIER_AUDIENCE'),
    routeUrl: routeUrlOf(required('OTP_COURIER_URL')),
    budgetMs: Number.isFinite(budget)
      ? Math.min(MAX_BUDGET_MS, Math.max(MIN_BUDGET_MS, Math.floor(budget)))
      : DEFAULT_BUDGET_MS,
  };
}

/**
 * "my-tenant.eu.auth0.com" means https. A full URL is accepted, but plain http only to loopback (the
 * local stack and tests): a token or a code never crosses a network in clear.
 */
function baseUrl(value, name) {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DeliveryNotConfirmed(`otp-courier: secret ${name} is not a URL`, 'drop');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new DeliveryNotConfirmed(`otp-courier: secret ${name} must be an https URL`, 'drop');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function routeUrlOf(value) {
  const base = baseUrl(value, 'OTP_COURIER_URL');
  return base.endsWith(ROUTE_PATH) ? base : `${base}${ROUTE_PATH}`;
}

/**
 * What otp-courier needs, in Auth0's own field names, and nothing more: the user's id and IP for its
 * anti-fraud limits (SMS pumping), a name and a preferred locale for the message; not the email, the
 * metadata, nor Auth0's voice text (otp-courier's voice templates speak).
 */
function envelopeOf(event) {
  const n = event?.notification || {};
  const user = event?.user || {};
  const metadata = (user.user_metadata && typeof user.user_metadata === 'object' && user.user_metadata) || {};
  return {
    notification: {
      recipient: n.recipient,
      code: n.code,
      delivery_method: n.delivery_method,
      message_type: n.message_type,
      locale: n.locale,
      as_text: n.as_text,
    },
    tenant: { id: event?.tenant ? event.tenant.id : undefined },
    user: {
      user_id: user.user_id,
      given_name: user.given_name,
      locale: typeof metadata.locale === 'string' ? metadata.locale : user.locale,
    },
    request: {
      ip: event?.request ? event.request.ip : undefined,
      language: event?.request ? event.request.language : undefined,
    },
  };
}

function cacheKeyOf(config) {
  return `otp-courier:token:${config.clientId}`.slice(0, CACHE_KEY_MAX);
}

/** A token from api.cache when one has more than a minute left, else a new one from the tenant. */
async function accessToken(config, api, deadline, fresh) {
  const cache = api?.cache;
  const key = cacheKeyOf(config);
  if (!fresh && cache && typeof cache.get === 'function') {
    const record = await cache.get(key);
    const expiresAt = record && typeof record.expires_at === 'number' ? record.expires_at : 0;
    if (record && typeof record.value === 'string' && expiresAt - Date.now() > TOKEN_RENEW_BEFORE_MS) {
      return { value: record.value, fromCache: true };
    }
  }
  const answer = await call(
    config.tokenUrl,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: config.clientId,
        client_secret: config.clientSecret,
        audience: config.audience,
      }).toString(),
    },
    deadline,
    TOKEN_CALL_MAX_MS,
    'token endpoint',
  );
  if (answer.status !== 200) {
    // 401/403: wrong client or not authorised for the API; 429/5xx: the tenant may answer later.
    const intent = answer.status === 429 || answer.status >= 500 ? 'retry' : 'drop';
    throw new DeliveryNotConfirmed(`otp-courier: token endpoint answered HTTP ${answer.status}`, intent);
  }
  const token = answer.json && typeof answer.json.access_token === 'string' ? answer.json.access_token : '';
  const expiresIn = answer.json ? Number(answer.json.expires_in) : Number.NaN;
  if (token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new DeliveryNotConfirmed('otp-courier: token endpoint gave no usable access token', 'retry');
  }
  if (cache && typeof cache.set === 'function' && token.length <= CACHE_VALUE_MAX) {
    // A full cache or a too-large token only costs a token call next time: the result is not needed.
    try {
      await cache.set(key, token, { expires_at: answer.sentAt + expiresIn * 1000 });
    } catch {
      // api.cache reports failures in its result; a throw is treated the same way.
    }
  }
  return { value: token, fromCache: false };
}

async function forgetToken(config, api) {
  if (api?.cache && typeof api.cache.delete === 'function') {
    try {
      await api.cache.delete(cacheKeyOf(config));
    } catch {
      // Nothing depends on it: the next execution fetches a new token when this one is refused again.
    }
  }
}

function postNotification(config, token, body, deadline) {
  return call(
    config.routeUrl,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body,
    },
    deadline,
    Number.POSITIVE_INFINITY,
    'otp-courier',
  );
}

/**
 * One HTTP call, aborted at min(now + capMs, the execution's deadline), its body included. A call that
 * does not answer in time, or cannot connect, is reported without a verdict ('retry').
 */
async function call(url, init, deadline, capMs, what) {
  const sentAt = Date.now();
  const timeoutMs = Math.min(capMs, deadline.at - sentAt);
  if (timeoutMs <= 0) {
    throw new DeliveryNotConfirmed(`otp-courier: no time left to call the ${what}`, 'retry');
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal, redirect: 'error' });
    const text = await response.text();
    let json;
    try {
      json = text.length > 0 && text.length <= MAX_REPLY_CHARS ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, sentAt };
  } catch (error) {
    if (controller.signal.aborted) {
      throw new DeliveryNotConfirmed(
        `otp-courier: the ${what} did not answer within ${timeoutMs} ms`,
        'retry',
      );
    }
    throw new DeliveryNotConfirmed(`otp-courier: could not reach the ${what} (${safeName(error)})`, 'retry');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * otp-courier's reply: HTTP 200 with {status: "SENT" | "PENDING" | "FAILED", reason?, eventId}. PENDING
 * is handed over (sent without confirmation, or a duplicate of a delivery still running): not an error.
 */
function settle(answer) {
  const reply = answer.json && typeof answer.json === 'object' ? answer.json : {};
  const reason = typeof reply.reason === 'string' && SAFE_TOKEN.test(reply.reason) ? reply.reason : 'unknown';
  if (answer.status === 200) {
    if (reply.status === 'SENT' || reply.status === 'PENDING') return;
    if (reply.status === 'FAILED') {
      throw new DeliveryNotConfirmed(`otp-courier: delivery failed (${reason})`, 'drop');
    }
    throw new DeliveryNotConfirmed('otp-courier: unreadable reply', 'retry');
  }
  if (answer.status === 429 || answer.status >= 500) {
    throw new DeliveryNotConfirmed(`otp-courier: HTTP ${answer.status}`, 'retry');
  }
  // 400/413/422: the notification is unusable; 401/403: this Action is not allowed to call.
  throw new DeliveryNotConfirmed(`otp-courier: HTTP ${answer.status} (${reason})`, 'drop');
}

/** api.notification records whether Auth0 may call again; older API objects may not have it. */
function tell(api, failure) {
  const notification = api?.notification;
  const record = notification?.[failure.intent];
  if (typeof record === 'function') record.call(notification, failure.message);
}

/** An error's name or system code ("ECONNREFUSED"), never its message: that may quote a request. */
function safeName(error) {
  const code = error?.cause?.code;
  const name = typeof code === 'string' ? code : error?.name;
  return typeof name === 'string' && SAFE_TOKEN.test(name) ? name : 'error';
}
