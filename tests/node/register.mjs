#!/usr/bin/env node
// oauth4webapi's dynamic client registration (RFC 7591) against a running grantd: discovery
// names registration_endpoint; dynamicClientRegistrationRequest without an initial access
// token is refused (401 with a Bearer challenge), with one it registers a confidential
// client, which then runs the authorization-code flow with PKCE and reads /userinfo.
//
// Usage: node tests/node/register.mjs '<json>' with
//   issuer                grantd's base URL (its issuer)
//   redirect_uri          the redirect URI to register
//   scope                 the scope to register and ask for
//   initial_access_token  from `grantd registration-token create`
//
// As tests/node/oauth4webapi.mjs: for the authorization it prints {"authorize": URL} and
// reads the URL the browser was redirected to; at the end it prints {"result": {...}} and
// exits 0, or {"error": ..., "step": ...} and exits 1.
import { createInterface } from 'node:readline';

import * as oauth from 'oauth4webapi';

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

let step = 'arguments';
const cfg = JSON.parse(process.argv[2] ?? '{}');
const lines = createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
const insecure = { [oauth.allowInsecureRequests]: true }; // http on loopback only

async function main() {
  const result = {};
  step = 'discovery';
  const issuer = new URL(cfg.issuer);
  const as = await oauth.processDiscoveryResponse(
    issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  result.registration_endpoint = as.registration_endpoint;

  const metadata = {
    client_name: 'Registered by oauth4webapi',
    redirect_uris: [cfg.redirect_uri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: cfg.scope,
    token_endpoint_auth_method: 'client_secret_basic',
  };

  step = 'registration without a token';
  try {
    await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(as, metadata, insecure));
    result.without_token = null;
  } catch (e) {
    result.without_token = { name: e.name, status: e.response?.status ?? e.status,
                             scheme: e.cause?.[0]?.scheme };
  }

  step = 'registration';
  const reg = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(
      as, metadata, { ...insecure, initialAccessToken: cfg.initial_access_token }));
  result.registered = { ...reg, client_secret: typeof reg.client_secret,
                        registration_access_token: typeof reg.registration_access_token };

  step = 'authorization request';
  const client = { client_id: reg.client_id };
  const auth = oauth.ClientSecretBasic(reg.client_secret);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', cfg.redirect_uri);
  url.searchParams.set('scope', cfg.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  send({ authorize: url.href });
  const { value } = await lines.next();
  const params = oauth.validateAuthResponse(as, client, new URL(value.trim()), state);

  step = 'code exchange';
  const tokens = await oauth.processAuthorizationCodeResponse(
    as, client, await oauth.authorizationCodeGrantRequest(as, client, auth, params,
                                                         cfg.redirect_uri, verifier, insecure));
  result.token_scope = tokens.scope;
  result.has_refresh_token = typeof tokens.refresh_token === 'string';

  step = 'userinfo';
  result.userinfo = await oauth.processUserInfoResponse(
    as, client, oauth.skipSubjectCheck,
    await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
  return result;
}

main().then((result) => {
  send({ result });
  process.exit(0);
}, (e) => {
  send({ error: String(e?.message ?? e), code: e?.code, step });
  process.exit(1);
});
