// A real OpenID Connect provider (node-oidc-provider) for PMF's single sign-on tests.
//
// Reads its clients and the path of an accounts file as JSON on stdin, listens on 127.0.0.1 on
// a free port and prints {"issuer": "..."} once ready. The accounts file is read afresh at every
// look-up, so a test can move someone between groups. An account may ask for a faulty ID token
// ("token": "tampered" | "wrong_audience" | "expired"): the token endpoint's answer is then
// altered as a broken or hostile provider would, so PMF's verification meets the real thing.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { text } from 'node:stream/consumers';

import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const setup = JSON.parse(await text(process.stdin));
const accounts = () => JSON.parse(readFileSync(setup.accountsFile, 'utf8'));
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: setup.clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['pmf-test-cookie-key'] },
  claims: {
    openid: ['sub', 'groups', 'roles'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // The council's own app: consent is given by the council, so no consent screen
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) {
      return undefined;
    }
    return { accountId: id, claims: () => ({ sub: id, ...account.claims }) };
  },
});

const key = await importJWK(signingKey, 'RS256');

async function resign(payload) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key);
}

async function alter(idToken, how) {
  const [header, body, signature] = idToken.split('.');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  if (how === 'tampered') {
    // Someone on the way promotes themselves, without the provider's key to sign it
    payload.groups = ['pmf-admins'];
    return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
  }
  if (how === 'wrong_audience') {
    return resign({ ...payload, aud: 'some-other-app', azp: 'some-other-app' });
  }
  if (how === 'expired') {
    return resign({ ...payload, iat: now - 7200, exp: now - 3600 });
  }
  return idToken;
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    const [, body] = ctx.body.id_token.split('.');
    const { sub } = JSON.parse(Buffer.from(body, 'base64url').toString());
    const how = accounts()[sub]?.token;
    if (how) {
      ctx.body = { ...ctx.body, id_token: await alter(ctx.body.id_token, how) };
    }
  }
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => { server.close(); process.exit(0); });
