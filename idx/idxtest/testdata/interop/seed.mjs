// seed.mjs drives an idxtest fake Okta org with okta-auth-js (legacy IDX
// mode) through one flow, and prints one JSON line on stdout that describes
// every step and the final result.
//
// It is run by TestOktaAuthJSInterop (../../interop_test.go). Configuration
// comes from the environment:
//
//	IDXTEST_FLOW          the flow to drive (default "email"):
//	                        email     sign-in, password then an emailed code
//	                        sms       sign-in, password then a texted code,
//	                                  resent once
//	                        register  self-service registration: profile,
//	                                  then password and email enrollment
//	                        recover   password recovery: an emailed code,
//	                                  then a new password
//	IDXTEST_URL           base URL of the fake org (the outbox lives there)
//	IDXTEST_ISSUER        authorization server issuer
//	IDXTEST_CLIENT_ID     public OAuth client ID
//	IDXTEST_REDIRECT_URI  redirect URI registered for that client
//	IDXTEST_USERNAME      user to sign in, recover or register; emailed
//	                      codes are sent here
//	IDXTEST_PASSWORD      that user's password (the new one for register
//	                      and recover)
//	IDXTEST_OLD_PASSWORD  the password before recovery; when set, recover
//	                      tries it (and expects it refused) before signing
//	                      in with the new one after a terminal end
//	IDXTEST_PHONE         the user's phone number, E.164 (sms)
//	IDXTEST_FIRST_NAME    first name of the new user (register)
//	IDXTEST_LAST_NAME     last name of the new user (register)
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
  const next = res.nextStep;
  if (next) {
    const inputs = next.inputs || [];
    step.nextStep = {
      name: next.name,
      inputs: inputs.map((i) => i.name),
      options: inputs.flatMap((i) => (i.options || []).map((o) => o.value)),
    };
    if (next.authenticator && next.authenticator.key) {
      step.nextStep.authenticator = next.authenticator.key;
    }
    if (next.canResend) {
      step.nextStep.canResend = true;
    }
    if (next.canSkip) {
      step.nextStep.canSkip = true;
    }
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

// outbox lists every message the org sent, as "channel to".
async function outbox(baseURL) {
  const res = await realFetch(`${baseURL}/idxtest/outbox`);
  expect(res.ok, `GET /idxtest/outbox: HTTP ${res.status}`);
  const msgs = await res.json();
  expect(Array.isArray(msgs), 'GET /idxtest/outbox: body is not a JSON array');
  return msgs;
}

// lastCode is the code of the newest message sent to to.
async function lastCode(baseURL, to) {
  const codes = (await outbox(baseURL))
    .filter((m) => typeof m.to === 'string' && m.to.toLowerCase() === to.toLowerCase())
    .map((m) => m.code);
  expect(codes.length > 0, `no message to ${to} in the outbox`);
  const code = codes[codes.length - 1];
  expect(typeof code === 'string' && code.length > 0, `outbox entry to ${to} has no code`);
  return code;
}

// otherCode is a six-digit code that is not code.
function otherCode(code) {
  return code === '000000' ? '111111' : '000000';
}

function expectStep(res, what, status, name) {
  expect(res.status === status, `${what}: status ${res.status}, want ${status}`);
  if (name) {
    expect(res.nextStep && res.nextStep.name === name,
      `${what}: next step ${res.nextStep && res.nextStep.name}, want ${name}`);
  }
}

function hasMessage(res, key) {
  return (res.messages || []).some((m) => m.i18n && m.i18n.key === key);
}

function hasInput(res, name) {
  return ((res.nextStep && res.nextStep.inputs) || []).some((i) => i.name === name);
}

function currentKey(res) {
  return res.nextStep && res.nextStep.authenticator && res.nextStep.authenticator.key;
}

// signInEmail: password, then the emailed code (a wrong one first, unless
// quick).
async function signInEmail(ctx, quick = false) {
  const { step, baseURL, username, password } = ctx;
  let res = await step('username+password', 'authenticate', { username, password });
  expectStep(res, 'after password', IdxStatus.PENDING, 'select-authenticator-authenticate');

  res = await step('authenticator=okta_email', 'authenticate', { authenticator: 'okta_email' });
  expectStep(res, 'after choosing email', IdxStatus.PENDING);
  if (res.nextStep && res.nextStep.name === 'authenticator-verification-data') {
    // okta-auth-js hands the method-type choice back to the caller.
    res = await step('methodType=email', 'authenticate', { methodType: 'email' });
  }
  expectStep(res, 'after choosing email', IdxStatus.PENDING, 'challenge-authenticator');
  expect(hasInput(res, 'verificationCode'), 'challenge-authenticator does not ask for verificationCode');

  const code = await lastCode(baseURL, username);

  if (!quick) {
    // A wrong code first: okta-auth-js must report it and stay on the step.
    res = await step('verificationCode=wrong', 'authenticate', { verificationCode: otherCode(code) });
    expectStep(res, 'after wrong code', IdxStatus.PENDING, 'challenge-authenticator');
    expect(hasMessage(res, 'api.authn.error.PASSCODE_INVALID'),
      'after wrong code: no api.authn.error.PASSCODE_INVALID message');
  }

  return step('verificationCode=right', 'authenticate', { verificationCode: code });
}

// signInSMS: password, then the phone by SMS; the code is resent once and
// the first one must then be refused.
async function signInSMS(ctx) {
  const { step, baseURL, username, password } = ctx;
  const phone = env('IDXTEST_PHONE');
  let res = await step('username+password', 'authenticate', { username, password });
  expectStep(res, 'after password', IdxStatus.PENDING, 'select-authenticator-authenticate');

  res = await step('authenticator=phone_number', 'authenticate', { authenticator: 'phone_number' });
  expectStep(res, 'after choosing the phone', IdxStatus.PENDING, 'authenticator-verification-data');
  expect(currentKey(res) === 'phone_number',
    `after choosing the phone: authenticator ${currentKey(res)}, want phone_number`);

  res = await step('methodType=sms', 'authenticate', { methodType: 'sms' });
  expectStep(res, 'after methodType=sms', IdxStatus.PENDING, 'challenge-authenticator');
  expect(hasInput(res, 'verificationCode'), 'challenge-authenticator does not ask for verificationCode');
  expect(res.nextStep.canResend, 'the SMS challenge cannot be resent');
  const first = await lastCode(baseURL, phone);

  res = await step('resend', 'authenticate', { resend: true });
  expectStep(res, 'after resend', IdxStatus.PENDING, 'challenge-authenticator');
  const second = await lastCode(baseURL, phone);

  // The code sent first is no longer good (if the new one happens to be
  // the same, any other code stands in for it).
  const stale = first !== second ? first : otherCode(second);
  res = await step('verificationCode=first', 'authenticate', { verificationCode: stale });
  expectStep(res, 'after the first code', IdxStatus.PENDING, 'challenge-authenticator');
  expect(hasMessage(res, 'api.authn.error.PASSCODE_INVALID'),
    'after the first code: no api.authn.error.PASSCODE_INVALID message');

  return step('verificationCode=resent', 'authenticate', { verificationCode: second });
}

// finishSteps answers, with the user's password or the emailed code, the
// enrollment and verification steps that registration and recovery lead
// to, in whatever order the org asks, until the flow ends.
async function finishSteps(ctx, res, api) {
  const { step, baseURL, username, password } = ctx;
  const done = new Set();
  for (let i = 0; i < 8; i++) {
    if (res.status !== IdxStatus.PENDING) {
      return res;
    }
    const name = res.nextStep && res.nextStep.name;
    const key = currentKey(res);
    switch (name) {
      case 'select-authenticator-enroll':
      case 'select-authenticator-authenticate': {
        const options = res.nextStep.inputs.flatMap((inp) => (inp.options || []).map((o) => o.value));
        const pick = ['okta_password', 'okta_email'].find((k) => options.includes(k) && !done.has(k));
        expect(pick, `${name}: options ${JSON.stringify(options)} offer no password or email left to do`);
        res = await step(`authenticator=${pick}`, api, { authenticator: pick });
        break;
      }
      case 'authenticator-verification-data':
        expect(key === 'okta_email', `authenticator-verification-data for ${key}, want okta_email`);
        res = await step('methodType=email', api, { methodType: 'email' });
        break;
      case 'enroll-authenticator':
      case 'challenge-authenticator':
        if (key === 'okta_email') {
          expect(hasInput(res, 'verificationCode'), `${name} for email does not ask for verificationCode`);
          const code = await lastCode(baseURL, username);
          res = await step('verificationCode=right', api, { verificationCode: code });
          done.add(key);
        } else if (key === 'okta_password' && name === 'enroll-authenticator') {
          expect(hasInput(res, 'password'), `${name} for the password does not ask for password`);
          res = await step('password=new', api, { password });
          done.add(key);
        } else {
          throw new Unexpected(`${name} for ${key}: not expected`);
        }
        break;
      case 'reset-authenticator':
        expect(key === 'okta_password', `reset-authenticator for ${key}, want okta_password`);
        expect(hasInput(res, 'password'), 'reset-authenticator does not ask for password');
        res = await step('password=new', api, { password });
        done.add(key);
        break;
      default:
        throw new Unexpected(`next step ${name}: not expected`);
    }
    expect(!(res.messages || []).some((m) => m.class === 'ERROR'),
      `${out.steps[out.steps.length - 1].call}: error messages ${JSON.stringify(res.messages)}`);
  }
  throw new Unexpected('the flow did not end within 8 steps');
}

// register: a new user's profile, then whatever enrollments the org asks
// for (the password and the email).
async function register(ctx) {
  const { step, username } = ctx;
  const profile = {
    firstName: env('IDXTEST_FIRST_NAME'),
    lastName: env('IDXTEST_LAST_NAME'),
    email: username,
  };
  const res = await step('firstName+lastName+email', 'register', profile);
  // (okta-auth-js itself refuses to register where the identify step
  // offers no select-enroll-profile.)
  expectStep(res, 'after the profile', IdxStatus.PENDING);
  return finishSteps(ctx, res, 'proceed');
}

// recover: the username, the emailed code, a new password. An org that
// ends recovery with "sign in with your new password" (idx.recovery.completed,
// a terminal answer) is then signed in to with the new password.
async function recover(ctx) {
  const { step, username } = ctx;
  let res = await step('username', 'recoverPassword', { username });
  expectStep(res, 'after the username', IdxStatus.PENDING);
  res = await finishSteps(ctx, res, 'proceed');
  if (res.status === IdxStatus.TERMINAL) {
    expect(hasMessage(res, 'idx.recovery.completed'),
      `recovery ended TERMINAL without idx.recovery.completed: ${JSON.stringify(res.messages)}`);
    const oldPassword = process.env.IDXTEST_OLD_PASSWORD;
    if (oldPassword) {
      // The old password no longer works.
      res = await step('username+oldPassword', 'authenticate', { username, password: oldPassword });
      expectStep(res, 'after the old password', IdxStatus.PENDING, 'identify');
      expect((res.messages || []).some((m) => m.class === 'ERROR'), 'the old password got no error message');
    }
    res = await signInEmail(ctx, true);
  }
  return res;
}

const flows = { email: signInEmail, sms: signInSMS, register, recover };

async function main() {
  const flowName = process.env.IDXTEST_FLOW || 'email';
  out.flow = flowName;
  const flow = flows[flowName];
  expect(flow, `IDXTEST_FLOW=${flowName}: no such flow`);
  const baseURL = env('IDXTEST_URL');
  const issuer = env('IDXTEST_ISSUER');

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

  // step calls authClient.idx[api](params) and records the answer.
  const step = async (call, api, params) => {
    const res = await authClient.idx[api](params);
    out.steps.push(summarize(call, res));
    // The user the org says is in play, as okta-auth-js parsed it.
    const user = res.context && res.context.user && res.context.user.value;
    if (user && user.id) {
      out.userId = user.id;
    }
    // The transaction in force (recovery that ends terminal is followed
    // by a new one).
    if (res.meta && res.meta.nonce) {
      out.request = {
        nonce: res.meta.nonce,
        codeChallengeMethod: res.meta.codeChallengeMethod,
        interactionHandle: Boolean(res.meta.interactionHandle),
      };
    }
    return res;
  };

  const ctx = {
    step,
    baseURL,
    username: env('IDXTEST_USERNAME'),
    password: env('IDXTEST_PASSWORD'),
  };
  const res = await flow(ctx);
  out.outbox = (await outbox(baseURL)).map((m) => `${m.channel || 'email'} ${m.to}`);
  expect(out.request, 'okta-auth-js kept no nonce in its transaction meta');

  const tokens = res.tokens || {};
  const idToken = tokens.idToken;
  out.result = {
    status: res.status,
    accessToken: Boolean(tokens.accessToken && tokens.accessToken.accessToken),
    idToken: Boolean(idToken && idToken.idToken),
  };
  expect(res.status === IdxStatus.SUCCESS, `final status ${res.status}, want SUCCESS`);
  expect(out.result.accessToken, 'no access token');
  expect(out.result.idToken, 'no ID token');
  const c = idToken.claims || {};
  out.result.claims = { sub: c.sub, nonce: c.nonce, iss: c.iss, aud: c.aud, email: c.email };
  out.result.rawIdToken = idToken.idToken;

  // okta-auth-js checked the signature, iss, aud and lifetimes while taking
  // the tokens, but its IDX flow does not pass the nonce to that check; ask
  // it again with the nonce it sent to /v1/interact.
  await authClient.token.verify(idToken, { nonce: out.request.nonce });
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
