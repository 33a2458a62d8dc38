// Credentials as a Node.js program gets them from the AWS SDK for JavaScript v3's own providers.
//
//   node credentials.js PROVIDER [PROFILE]
//
// PROVIDER: sso (fromSSO), process (fromProcess), http (fromHttp), env (fromEnv) or chain (the
// default chain, fromNodeProviderChain). Prints one JSON object: the credentials, with
// `expiration` as ISO 8601 (null when the provider gave none), or `{"error": MESSAGE}` and
// exit status 1 when the provider refused.
"use strict";

const providers = require("@aws-sdk/credential-providers");

const MAKERS = {
  sso: (profile) => providers.fromSSO({ profile }),
  process: (profile) => providers.fromProcess({ profile }),
  http: () => providers.fromHttp({}),
  env: () => providers.fromEnv(),
  chain: () => providers.fromNodeProviderChain(),
};

async function main() {
  const [name, profile] = process.argv.slice(2);
  const make = MAKERS[name];
  if (!make) {
    throw new Error(`unknown provider ${name}; one of ${Object.keys(MAKERS).join(", ")}`);
  }
  const creds = await make(profile)();
  const expiration = creds.expiration;
  const valid = expiration instanceof Date && !Number.isNaN(expiration.getTime());
  process.stdout.write(
    JSON.stringify({
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken ?? null,
      expiration: expiration === undefined ? null : valid ? expiration.toISOString() : "Invalid Date",
    }) + "\n",
  );
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String(error && error.message) }) + "\n");
  process.exit(1);
});
