// seed.mjs drives an idxtest fake Okta org with okta-auth-js (legacy IDX
// mode) through the email one-time-passcode sign-in flow, and prints one JSON
// line on stdout that describes every step and the final result.
//
// It is run by TestOktaAuthJSInterop (../../interop_test.go). Configuration
// comes from the environment:
//
//	IDXTEST_URL           base URL of the fake org (the outbox lives there)
//	IDXTEST_ISSUER        authorization server issuer
//	IDXTEST_CLIENT_ID     public OAuth client ID
//	IDXTEST_REDIRECT_URI  redirect URI registered for that client
//	IDXTEST_USERNAME      user to sign in; the emailed code is sent here
//	IDXTEST_PASSWORD      that user's password
//
// The process exits 0 only if okta-auth-js went through the whole flow as
// expected; on any surprise it still prints the JSON line (with "error" set)
// and exits 1, so the caller can show what happened.

import { readFileSync } from 'node:fs';
import { OktaAuth, IdxStatus } from '@okta/okta-auth-js';

// okta-auth-js and its dependencies may log; keep stdout for the JSON line.
console.log = console.error;
console.info = console.error;

const out = {
  oktaAuthJs: JSON.parse(readFileSync(
    new URL('./node_modules/@okta/okta-auth-js/package.json', import.meta.url),
    'utf8',
  )).version,
  steps: [],
  http: [],
};

class Unexpected extends Error {}

function env(name) {
  const v = process.env[name];
  if (!v) {
    throw new Unexpected(`environment variable ${name} is not set`);
  }
  return v;
}

function expect(cond, what) {
  if (!cond) {
    throw new Unexpected(what);
  }
}

// Every HTTP request okta-auth-js makes goes through globalThis.fetch in Node;
// record method, path and status so the caller sees the client's side of the
// conversation.
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init = {}) => {
  const u = new URL(url);
  const entry = `${(init.method || 'GET').toUpperCase()} ${u.pathname}`;
  try {
    const res = await realFetch(url, init);
    out.http.push(`${entry} ${res.status}`);
    return res;
  } catch (err) {
    out.http.push(`${entry} failed: ${err.message}`);
    throw err;
  }
};

// A private in-memory storage provider. Without one, okta-auth-js in Node
// falls back to one process-wide node-cache store (and warns that it only
// suits a single user); a provider of our own keeps the transaction, the
// saved IDX response, the HTTP cache (well-known, keys) and tokens here.
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, value); },
    removeItem: (key) => { items.delete(key); },
  };
}

function summarize(call, res) {
  const step = { call, status: res.status };
  if (res.nextStep) {
    const inputs = res.nextStep.inputs || [];
    step.nextStep = {
      name: res.nextStep.name,
      inputs: inputs.map((i) => i.name),
      options: inputs.flatMap((i) => (i.options || []).map((o) => o.value)),
    };
  }
  if (res.messages && res.messages.length) {
    step.messages = res.messages.map((m) => ({
      key: m.i18n && m.i18n.key,
      class: m.class,
      message: m.message,
    }));
  }
  return step;
}

async function outboxCodes(baseURL, to) {
  const res = await realFetch(`${baseURL}/idxtest/outbox`);
  expect(res.ok, `GET /idxtest/outbox: HTTP ${res.status}`);
  const mails = await res.json();
  expect(Array.isArray(mails), 'GET /idxtest/outbox: body is not a JSON array');
  return mails
    .filter((m) => typeof m.to === 'string' && m.to.toLowerCase() === to.toLowerCase())
    .map((m) => m.code);
}

async function main() {
  const baseURL = env('IDXTEST_URL');
  const issuer = env('IDXTEST_ISSUER');
  const username = env('IDXTEST_USERNAME');
  const password = env('IDXTEST_PASSWORD');

  const storage = memoryStorage();
  const authClient = new OktaAuth({
    issuer,
    clientId: env('IDXTEST_CLIENT_ID'),
    redirectUri: env('IDXTEST_REDIRECT_URI'),
    scopes: ['openid', 'profile', 'email'],
    pkce: true,
    idx: { enableLegacyMode: true },
    // okta-auth-js 8 has no HTTPS check to disable in Node (the option is
    // gone from its code); it is kept so the config matches older releases.
    testing: { disableHttpsCheck: true },
    storageManager: {
      token: { storageProvider: storage },
      cache: { storageProvider: storage },
      transaction: { storageProvider: storage },
      'shared-transaction': { storageProvider: storage },
      'original-uri': { storageProvider: storage },
    },
  });
  // The ID token's signature is checked only where WebCrypto exists; make
  // sure it does, so that a SUCCESS below means the signature was verified.
  expect(authClient.features.isTokenVerifySupported(),
    'WebCrypto is missing: okta-auth-js would skip the ID token signature check');
  expect(authClient.features.isPKCESupported(), 'okta-auth-js says PKCE is not supported');

  const step = async (call, params) => {
    const res = await authClient.idx.authenticate(params);
    out.steps.push(summarize(call, res));
    // The user the org says is signing in, as okta-auth-js parsed it.
    const user = res.context && res.context.user && res.context.user.value;
    if (user && user.id) {
      out.userId = user.id;
    }
    return res;
  };

  // 1. Username and password.
  let res = await step('username+password', { username, password });
  expect(res.status === IdxStatus.PENDING, `after password: status ${res.status}, want PENDING`);
  expect(res.nextStep && res.nextStep.name === 'select-authenticator-authenticate',
    `after password: next step ${res.nextStep && res.nextStep.name}, want select-authenticator-authenticate`);
  const requestNonce = res.meta && res.meta.nonce;
  expect(requestNonce, 'okta-auth-js kept no nonce in its transaction meta');
  out.request = {
    nonce: requestNonce,
    codeChallengeMethod: res.meta.codeChallengeMethod,
    interactionHandle: Boolean(res.meta.interactionHandle),
  };

  // 2. Choose the email authenticator.
  res = await step('authenticator=okta_email', { authenticator: 'okta_email' });
  expect(res.status === IdxStatus.PENDING, `after choosing email: status ${res.status}, want PENDING`);
  if (res.nextStep && res.nextStep.name === 'authenticator-verification-data') {
    // okta-auth-js hands the method-type choice back to the caller.
    res = await step('methodType=email', { methodType: 'email' });
    expect(res.status === IdxStatus.PENDING, `after methodType: status ${res.status}, want PENDING`);
  }
  expect(res.nextStep && res.nextStep.name === 'challenge-authenticator',
    `after choosing email: next step ${res.nextStep && res.nextStep.name}, want challenge-authenticator`);
  expect((res.nextStep.inputs || []).some((i) => i.name === 'verificationCode'),
    'challenge-authenticator does not ask for verificationCode');

  // 3. The emailed code.
  const codes = await outboxCodes(baseURL, username);
  out.emailsToUser = codes.length;
  expect(codes.length > 0, `no email to ${username} in the outbox`);
  const code = codes[codes.length - 1];
  expect(typeof code === 'string' && code.length > 0, 'outbox entry has no code');

  // 4. A wrong code first: okta-auth-js must report it and stay on the step.
  const wrong = code === '000000' ? '111111' : '000000';
  res = await step('verificationCode=wrong', { verificationCode: wrong });
  expect(res.status === IdxStatus.PENDING, `after wrong code: status ${res.status}, want PENDING`);
  expect(res.nextStep && res.nextStep.name === 'challenge-authenticator',
    `after wrong code: next step ${res.nextStep && res.nextStep.name}, want challenge-authenticator`);
  expect((res.messages || []).some((m) => m.i18n && m.i18n.key === 'api.authn.error.PASSCODE_INVALID'),
    'after wrong code: no api.authn.error.PASSCODE_INVALID message');

  // 5. The right code.
  res = await step('verificationCode=right', { verificationCode: code });
  expect(res.status === IdxStatus.SUCCESS, `after right code: status ${res.status}, want SUCCESS`);
  const tokens = res.tokens || {};
  const idToken = tokens.idToken;
  out.result = {
    status: res.status,
    accessToken: Boolean(tokens.accessToken && tokens.accessToken.accessToken),
    idToken: Boolean(idToken && idToken.idToken),
    refreshToken: Boolean(tokens.refreshToken && tokens.refreshToken.refreshToken),
  };
  expect(out.result.accessToken, 'no access token');
  expect(out.result.idToken, 'no ID token');
  const c = idToken.claims || {};
  out.result.claims = { sub: c.sub, nonce: c.nonce, iss: c.iss, aud: c.aud };
  out.result.rawIdToken = idToken.idToken;
  out.result.scopes = tokens.accessToken.scopes;
  out.result.tokenType = tokens.accessToken.tokenType;

  // okta-auth-js checked the signature, iss, aud and lifetimes while taking
  // the tokens, but its IDX flow does not pass the nonce to that check; ask
  // it again with the nonce it sent to /v1/interact.
  await authClient.token.verify(idToken, { nonce: requestNonce });
  out.result.nonceVerified = true;
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = 1;
  out.error = err instanceof Unexpected ? err.message : `${err.name}: ${err.message}`;
  if (!(err instanceof Unexpected)) {
    for (const k of ['errorCode', 'errorSummary', 'errorCauses']) {
      if (err[k]) {
        out[`error_${k}`] = err[k];
      }
    }
    console.error(err);
  }
}
process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(exitCode));
