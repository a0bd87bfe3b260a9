// corpus.mjs reads a folder of captured IDX answers with okta-auth-js
// (legacy IDX mode), to compare its reading of each with goidx's.
//
// It is run by TestWireCorpusOktaAuthJS (idx/corpus_test.go) as
//
//	node corpus.mjs DIR
//
// For every DIR/*.json, in name order, it serves the file as the answer to
// POST /idp/idx/introspect from a loopback server of its own (with the
// status its name gives: error-NNN-... answers NNN, any other error...
// 403, the rest 200; the captures' made-up origin http://localhost:3000
// replaced with the server's), calls idx.authenticate() once on a fresh
// client, and prints one JSON line:
//
//	{"file": "...", "status": "PENDING", "nextStep": "identify", "steps": [...]}
//	{"file": "...", "error": "no remediation of its flow"}
//
// The token endpoint answers invalid_grant: an answer that carries an
// interaction code ends, for okta-auth-js, in that error.

import http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { OktaAuth } from '@okta/okta-auth-js';

// okta-auth-js may log; keep stdout for the JSON lines.
console.log = console.error;
console.info = console.error;
console.warn = () => {};

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node corpus.mjs DIR\n');
  process.exit(2);
}

let answer = { status: 200, body: '' };
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const json = (status, v) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof v === 'string' ? v : JSON.stringify(v));
    };
    const iss = `${base}/oauth2/default`;
    const path = req.url.split('?')[0];
    if (path === '/oauth2/default/.well-known/openid-configuration') {
      json(200, {
        issuer: iss,
        authorization_endpoint: `${iss}/v1/authorize`,
        token_endpoint: `${iss}/v1/token`,
        jwks_uri: `${iss}/v1/keys`,
        code_challenge_methods_supported: ['S256'],
      });
    } else if (path === '/oauth2/default/v1/interact') {
      json(200, { interaction_handle: 'corpusInteractionHandle' });
    } else if (path === '/idp/idx/introspect') {
      json(answer.status, answer.body);
    } else if (path.endsWith('/v1/token')) {
      json(400, { error: 'invalid_grant', error_description: 'not served by this reader' });
    } else {
      json(404, { errorCode: 'E0000022', errorSummary: 'not served by this reader' });
    }
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

function statusOf(name) {
  const m = /^errors?-([0-9]{3})-/.exec(name);
  if (m) {
    return Number(m[1]);
  }
  return name.startsWith('error') ? 403 : 200;
}

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, v),
    removeItem: (k) => items.delete(k),
  };
}

// errorName says what kind of error okta-auth-js gave, in a few words.
function errorName(e) {
  const msg = String(e && e.message || '').trim();
  if (msg.startsWith('No remediation can match current flow')) {
    return 'no remediation of its flow';
  }
  if (msg.startsWith('Cannot resolve relatesTo')) {
    return 'cannot resolve relatesTo';
  }
  const status = e && e.xhr && e.xhr.status;
  return `${e && e.name || 'Error'}${status ? ` HTTP ${status}` : ''}`;
}

const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
for (const file of names) {
  answer = {
    status: statusOf(file),
    body: readFileSync(`${dir}/${file}`, 'utf8').replaceAll('http://localhost:3000', base),
  };
  const storage = memoryStorage();
  const stores = {};
  for (const k of ['token', 'cache', 'transaction', 'shared-transaction', 'original-uri']) {
    stores[k] = { storageProvider: storage };
  }
  const client = new OktaAuth({
    issuer: `${base}/oauth2/default`,
    clientId: 'corpusClient',
    redirectUri: 'https://app.example.com/callback',
    scopes: ['openid'],
    pkce: true,
    idx: { enableLegacyMode: true },
    storageManager: stores,
  });
  const line = { file };
  try {
    const res = await client.idx.authenticate();
    line.status = res.status;
    if (res.nextStep) {
      line.nextStep = res.nextStep.name;
    }
    line.steps = (res.availableSteps || []).map((s) => s.name);
  } catch (e) {
    line.error = errorName(e);
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
server.close();
process.exit(0);
