#!/usr/bin/env node
// A strict RFC client (oauth4webapi 3.x) against a running grantd: RFC 8414 discovery, the
// authorization-code flow with PKCE (RFC 9207 iss check on the authorization response), the
// token answers, refresh rotation, client credentials, RFC 7662 introspection, RFC 7009
// revocation and RFC 9068 JWT access-token validation against jwks_uri.
//
// Usage: node tests/node/oauth4webapi.mjs '<json>' with
//   issuer         grantd's base URL (its issuer)
//   redirect_uri   registered for the confidential and public clients
//   scope          what to ask for at /authorize
//   confidential   {client_id, client_secret}: authorization_code + refresh_token
//   public         {client_id}: a public client (PKCE, no secret)        (optional)
//   service        {client_id, client_secret, scope}: client_credentials (optional)
//   jwt_service    {client_id, client_secret, scope}: client_credentials with
//                  --access-token-format jwt                            (optional)
//
// The browser part is the caller's: for each authorization the script prints one line
//   {"authorize": "<authorization URL>"}
// and reads one line from stdin: the URL the browser was redirected to (with code, state,
// iss). At the end it prints one line {"result": {...}} and exits 0; on an unexpected error
// it prints {"error": ..., "code": ..., "step": ...} and exits 1. Expected refusals (an
// iss that does not match, a reused refresh token) are recorded in the result, not thrown.
//
// oauth4webapi comes from the repository's node_modules (scripts/deps --test: npm ci).
import { createInterface } from 'node:readline';

import * as oauth from 'oauth4webapi';

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

// http on loopback: the one relaxation; every other check of the library stays on
const insecure = { [oauth.allowInsecureRequests]: true };

/** The library's error code (or the OAuth error of a token-endpoint answer), or null. */
async function refusal(fn) {
  try {
    await fn();
    return null;
  } catch (e) {
    if (e instanceof oauth.ResponseBodyError) return { error: e.error, status: e.status };
    if (e instanceof oauth.AuthorizationResponseError) return { error: e.error };
    return { code: e.code ?? e.name, message: e.message };
  }
}

function withParam(url, name, value) {
  const u = new URL(url);
  if (value === undefined) u.searchParams.delete(name);
  else u.searchParams.set(name, value);
  return u;
}

function shape(tokens) {
  // the parsed answer without the secrets themselves
  const out = {};
  for (const [k, v] of Object.entries(tokens)) {
    out[k] = k === 'access_token' || k === 'refresh_token' ? `<${typeof v} ${v.length}>` : v;
  }
  return out;
}

async function introspect(as, client, auth, token, hint) {
  const opts = { ...insecure };
  if (hint) opts.additionalParameters = { token_type_hint: hint };
  const resp = await oauth.introspectionRequest(as, client, auth, token, opts);
  return oauth.processIntrospectionResponse(as, client, resp);
}

async function revoke(as, client, auth, token) {
  const resp = await oauth.revocationRequest(as, client, auth, token, insecure);
  await oauth.processRevocationResponse(resp);
  return resp.status;
}

async function refresh(as, client, auth, rt, scope) {
  const opts = { ...insecure };
  if (scope) opts.additionalParameters = { scope };
  const resp = await oauth.refreshTokenGrantRequest(as, client, auth, rt, opts);
  return oauth.processRefreshTokenResponse(as, client, resp);
}

async function authorize(as, client, auth, label) {
  step = `${label}: authorization request`;
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', cfg.redirect_uri);
  url.searchParams.set('scope', cfg.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  send({ authorize: url.href, client: label });
  const callback = new URL(await nextLine());

  step = `${label}: authorization response`;
  const checks = {
    iss: callback.searchParams.get('iss'),
    wrong_iss: await refusal(() => oauth.validateAuthResponse(
      as, client, withParam(callback, 'iss', 'https://evil.example'), state)),
    missing_iss: await refusal(() =>
      oauth.validateAuthResponse(as, client, withParam(callback, 'iss', undefined), state)),
    wrong_state: await refusal(() =>
      oauth.validateAuthResponse(as, client, callback, 'not-the-state')),
  };
  const params = oauth.validateAuthResponse(as, client, callback, state);

  step = `${label}: code exchange`;
  const resp = await oauth.authorizationCodeGrantRequest(as, client, auth, params, cfg.redirect_uri,
                                                         verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, resp);
  // the code is single-use; a replay also revokes what it gave, so callers try it last
  const replay = () => refusal(async () => {
    const again = await oauth.authorizationCodeGrantRequest(as, client, auth, params,
                                                            cfg.redirect_uri, verifier, insecure);
    return oauth.processAuthorizationCodeResponse(as, client, again);
  });
  return { tokens, checks, replay };
}

async function userinfo(as, client, at) {
  const resp = await oauth.userInfoRequest(as, client, at, insecure);
  return oauth.processUserInfoResponse(as, client, oauth.skipSubjectCheck, resp);
}

async function main() {
  const result = {};
  step = 'discovery';
  const issuer = new URL(cfg.issuer);
  const as = await oauth.processDiscoveryResponse(
    issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  result.metadata = as;

  // ---- a confidential client: code + PKCE, refresh, introspect, revoke ----
  {
    const client = { client_id: cfg.confidential.client_id };
    const auth = oauth.ClientSecretBasic(cfg.confidential.client_secret);
    const post = oauth.ClientSecretPost(cfg.confidential.client_secret);
    const r = {};
    const { tokens, checks, replay } = await authorize(as, client, auth, 'confidential');
    r.checks = checks;
    r.tokens = shape(tokens);

    step = 'confidential: userinfo';
    r.userinfo = await userinfo(as, client, tokens.access_token);

    step = 'confidential: refresh';
    const t2 = await refresh(as, client, auth, tokens.refresh_token);
    r.refreshed = shape(t2);
    r.rotated = t2.access_token !== tokens.access_token &&
                t2.refresh_token !== tokens.refresh_token;
    const t3 = await refresh(as, client, post, t2.refresh_token, 'profile');
    r.narrowed = shape(t3);
    r.widen = await refusal(() =>
      refresh(as, client, auth, t3.refresh_token, 'profile email admin'));

    step = 'confidential: introspection';
    r.introspect_access = await introspect(as, client, auth, t3.access_token);
    r.introspect_refresh = await introspect(as, client, auth, t3.refresh_token, 'access_token');
    r.introspect_rotated = await introspect(as, client, auth, tokens.refresh_token);
    r.introspect_unknown = await introspect(as, client, auth, 'x'.repeat(43));

    step = 'confidential: revocation';
    r.revoke_access_status = await revoke(as, client, auth, t3.access_token);
    r.after_revoke_access = await introspect(as, client, auth, t3.access_token);
    const t4 = await refresh(as, client, auth, t3.refresh_token);
    r.refresh_after_access_revoked = shape(t4);
    r.revoke_unknown_status = await revoke(as, client, auth, 'y'.repeat(43));
    r.revoke_missing = await refusal(async () => {
      // oauth4webapi will not send a revocation without a token: a plain fetch does
      const id = encodeURIComponent(client.client_id);
      const secret = encodeURIComponent(cfg.confidential.client_secret);
      const resp = await fetch(as.revocation_endpoint, {
        method: 'POST',
        headers: {
          authorization: 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: '',
      });
      return oauth.processRevocationResponse(resp);
    });

    step = 'confidential: reuse of a rotated refresh token';
    r.reuse = await refusal(() => refresh(as, client, auth, t2.refresh_token));
    r.after_reuse_access = await introspect(as, client, auth, t4.access_token);
    r.after_reuse_refresh = await refusal(() => refresh(as, client, auth, t4.refresh_token));
    step = 'confidential: code replay';
    r.code_replay = await replay();
    result.confidential = r;
  }

  // ---- a public client: PKCE without a secret ----
  if (cfg.public) {
    const client = { client_id: cfg.public.client_id, token_endpoint_auth_method: 'none' };
    const auth = oauth.None();
    const r = {};
    const { tokens, checks } = await authorize(as, client, auth, 'public');
    r.checks = checks;
    r.tokens = shape(tokens);
    step = 'public: refresh';
    const t2 = await refresh(as, client, auth, tokens.refresh_token);
    r.refreshed = shape(t2);
    step = 'public: userinfo';
    r.userinfo = await userinfo(as, client, t2.access_token);
    step = 'public: revocation';
    r.revoke_status = await revoke(as, client, auth, t2.refresh_token);
    r.after_revoke = await refusal(() => refresh(as, client, auth, t2.refresh_token));
    result.public = r;
  }

  // ---- client credentials ----
  if (cfg.service) {
    step = 'client_credentials';
    const client = { client_id: cfg.service.client_id };
    const auth = oauth.ClientSecretPost(cfg.service.client_secret);
    const resp = await oauth.clientCredentialsGrantRequest(as, client, auth,
                                                           { scope: cfg.service.scope }, insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, client, resp);
    const r = { tokens: shape(tokens) };
    const basic = oauth.ClientSecretBasic(cfg.service.client_secret);
    r.all_scopes = shape(await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, basic, {}, insecure)));
    const wide = { scope: `${cfg.service.scope} admin` };
    r.too_wide = await refusal(async () => oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, basic, wide, insecure)));
    r.introspect = await introspect(as, client, basic, tokens.access_token);
    r.revoke_status = await revoke(as, client, basic, tokens.access_token);
    r.after_revoke = await introspect(as, client, basic, tokens.access_token);
    result.service = r;
  }

  // ---- RFC 9068 JWT access tokens, checked the way a resource server would ----
  if (cfg.jwt_service) {
    step = 'jwt access token';
    const client = { client_id: cfg.jwt_service.client_id };
    const auth = oauth.ClientSecretBasic(cfg.jwt_service.client_secret);
    const resp = await oauth.clientCredentialsGrantRequest(
      as, client, auth, { scope: cfg.jwt_service.scope }, insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, client, resp);
    const request = new Request(new URL('/api', cfg.issuer), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, cfg.issuer, insecure);
    const r = { claims };
    const [header] = tokens.access_token.split('.');
    r.header = JSON.parse(Buffer.from(header, 'base64url').toString());
    const again = new Request(request.url, { headers: request.headers });
    r.wrong_audience = await refusal(() =>
      oauth.validateJwtAccessToken(as, again, 'https://other.example', insecure));
    r.introspect = await introspect(as, client, auth, tokens.access_token);
    result.jwt = r;
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
