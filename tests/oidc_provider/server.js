// A real OpenID Connect provider for the accounts tests: it plays the state identity portal.
//
// Configured from the environment:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI  the one relying party (cityhall)
//   OIDC_ACCOUNTS  optional JSON {accountId: {claims}}; a default citizen otherwise
//   OIDC_PORT      optional; 0 (default) picks a free port
// It listens on 127.0.0.1 and prints one line "listening <issuer>" once it accepts requests.
// Sign-in and consent are the library's development interactions: any account id from
// OIDC_ACCOUNTS with any password, then "Continue".
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const env = (name, fallback) => process.env[name] ?? fallback;

const defaultAccounts = {
  'citizen-1': {
    family_name: 'Ivanova',
    given_name: 'Anna',
    middle_name: 'Sergeevna',
    name: 'Anna Sergeevna Ivanova',
    birthdate: '1990-05-17',
    email: 'anna.ivanova@example.org',
    email_verified: true,
    phone_number: '+79171234567',
    phone_number_verified: true,
    address: { formatted: 'Kazan, Baumana street, 1' },
    document_number: '9215 123456',
    property_rights: [{ kind: 'ownership', cadastral_number: '16:50:011101:101' }],
  },
};

const accounts = JSON.parse(env('OIDC_ACCOUNTS', 'null')) ?? defaultAccounts;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const server = createServer();
server.listen(Number(env('OIDC_PORT', '0')), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: env('OIDC_CLIENT_ID', 'cityhall'),
        client_secret: env('OIDC_CLIENT_SECRET', 'cityhall-secret'),
        redirect_uris: [env('OIDC_REDIRECT_URI', 'http://127.0.0.1:8000/accounts/oidc/callback/')],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['family_name', 'given_name', 'middle_name', 'name', 'birthdate'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      address: ['address'],
      identity_document: ['document_number'],
      property_rights: ['property_rights'],
    },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
