#!/usr/bin/env node
// An OpenID Connect relying party (openid-client 6.x, strict) against a running grantd:
// Discovery 1.0 (/.well-known/openid-configuration), the code flow with PKCE, state and a
// nonce, the ID token validated by the library (signature against jwks_uri, iss, aud, exp,
// iat, nonce; RS256 unless the client registered another algorithm), a refresh that brings a
// new ID token, /userinfo for the ID token's subject, silent sign-ins (prompt=none) before
// and after the logout, and the RP-Initiated Logout URL.
//
// Usage: node tests/node/openid-client.mjs '<json>' with
//   issuer                    grantd's issuer (its base URL)
//   client_id, client_secret  a client with openid in its scope (no secret: a public
//                             client, token_endpoint_auth_method none)
//   redirect_uri              registered for it
//   scope                     what to ask for ("openid profile email")
//   post_logout_redirect_uri  for the logout URL
//   id_token_signed_response_alg  what the client registered, when not RS256 (optional)
//
// The browser part is the caller's, as for tests/node/oauth4webapi.mjs: for each
// authorization the script prints {"authorize": "<URL>"} and reads one line from stdin, the
// URL the browser was redirected to; for the logout it prints {"logout": "<URL>"} and reads
// one line once the browser has been there. At the end it prints {"result": {...}} and
// exits 0; on an unexpected error it prints {"error": ..., "code": ..., "step": ...} and
// exits 1. Expected refusals (a nonce that is not the one sent, login_required after the
// logout) and a logout URL the library will not build are recorded in the result, not thrown.
//
// openid-client comes from the repository's node_modules (scripts/deps --test: npm ci).
import { createInterface } from 'node:readline';

import * as client from 'openid-client';

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

let step = 'arguments';
let cfg;
try {
  cfg = JSON.parse(process.argv[2] ?? '');
} catch (e) {
  send({ error: `expected one JSON argument: ${e.message}`, step });
  process.exit(2);
}

const lines = createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
async function nextLine() {
  const { value, done } = await lines.next();
  if (done) throw new Error('stdin closed before the callback URL came');
  return value.trim();
}

/** The library's error code (or the OAuth error of an answer), or null. */
async function refusal(fn) {
  try {
    await fn();
    return null;
  } catch (e) {
    if (e.error !== undefined) return { error: e.error, status: e.status };
    return { code: e.code ?? e.name, message: e.message };
  }
}

function jwtHeader(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());
}

/** Sends the browser to grantd (extra: more parameters, such as prompt); the URL it came
 * back to, and what was sent. */
async function authorize(config, extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const sent = {
    ...extra,
    redirect_uri: cfg.redirect_uri,
    scope: cfg.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: client.randomState(),
    nonce: client.randomNonce(),
  };
  send({ authorize: client.buildAuthorizationUrl(config, sent).href });
  return { callback: new URL(await nextLine()), verifier, sent };
}

async function main() {
  const result = {};
  step = 'discovery';
  // http on loopback: the one relaxation; every other check of the library stays on
  const metadata = cfg.client_secret ? { client_secret: cfg.client_secret } : {};
  if (cfg.id_token_signed_response_alg) {
    metadata.id_token_signed_response_alg = cfg.id_token_signed_response_alg;
  }
  const auth = cfg.client_secret ? undefined : client.None();
  const config = await client.discovery(new URL(cfg.issuer), cfg.client_id, metadata, auth,
                                        { execute: [client.allowInsecureRequests] });
  const m = config.serverMetadata();
  result.metadata = m;

  step = 'authorization';
  const first = await authorize(config);
  result.sent = first.sent;

  step = 'code exchange';
  const tokens = await client.authorizationCodeGrant(config, first.callback, {
    pkceCodeVerifier: first.verifier,
    expectedState: first.sent.state,
    expectedNonce: first.sent.nonce,
    idTokenExpected: true,
  });
  result.id_token = { header: jwtHeader(tokens.id_token), claims: tokens.claims() };
  result.token_type = tokens.token_type;
  result.scope = tokens.scope;
  result.has_refresh_token = typeof tokens.refresh_token === 'string';

  step = 'userinfo';
  const sub = tokens.claims().sub;
  result.userinfo = await client.fetchUserInfo(config, tokens.access_token, sub);
  result.userinfo_other_sub = await refusal(() =>
    client.fetchUserInfo(config, tokens.access_token, `${sub}-not`));

  step = 'refresh';
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  result.refreshed = {
    has_id_token: typeof refreshed.id_token === 'string',
    claims: refreshed.claims() ?? null,
    rotated: refreshed.refresh_token !== tokens.refresh_token,
  };
  if (refreshed.id_token) result.refreshed.header = jwtHeader(refreshed.id_token);

  step = 'a second authorization, checked against another nonce';
  const second = await authorize(config);
  result.wrong_nonce = await refusal(() => client.authorizationCodeGrant(config, second.callback, {
    pkceCodeVerifier: second.verifier,
    expectedState: second.sent.state,
    expectedNonce: client.randomNonce(),
    idTokenExpected: true,
  }));

  step = 'a silent sign-in (prompt=none) while signed in';
  const silent = await authorize(config, { prompt: 'none' });
  const again = await client.authorizationCodeGrant(config, silent.callback, {
    pkceCodeVerifier: silent.verifier,
    expectedState: silent.sent.state,
    expectedNonce: silent.sent.nonce,
    idTokenExpected: true,
  });
  result.silent = again.claims();

  // (a refusal here, such as no end_session_endpoint in the metadata, is the logout test's
  // failure alone: recorded, not thrown)
  step = 'end session URL';
  result.end_session = await refusal(() => {
    result.end_session_url = client.buildEndSessionUrl(config, {
      id_token_hint: refreshed.id_token ?? tokens.id_token,
      post_logout_redirect_uri: cfg.post_logout_redirect_uri,
      state: 'bye-state',
    }).href;
  });
  if (result.end_session_url) {
    step = 'a silent sign-in (prompt=none) after logout';
    send({ logout: result.end_session_url });
    await nextLine(); // the browser has been there
    const after = await authorize(config, { prompt: 'none' });
    result.silent_after_logout = await refusal(() =>
      client.authorizationCodeGrant(config, after.callback, {
        pkceCodeVerifier: after.verifier,
        expectedState: after.sent.state,
        expectedNonce: after.sent.nonce,
        idTokenExpected: true,
      }));
  }

  send({ result });
}

main().then(
  () => process.exit(0),
  (e) => {
    send({
      error: e.message, code: e.code ?? e.name, step,
      cause: e.cause === undefined ? undefined : JSON.parse(JSON.stringify(e.cause, (k, v) =>
        (v instanceof URLSearchParams ? Object.fromEntries(v) : v))),
    });
    process.exit(1);
  });
