// Credentials as a Node.js program gets them from the AWS SDK for JavaScript v3's own providers.
//
//   node credentials.js PROVIDER [PROFILE]
//   node credentials.js renewing SECONDS
//
// PROVIDER: sso (fromSSO), process (fromProcess), http (fromHttp), env (fromEnv), ini (fromIni:
// the shared files' profile, keys or SSO) or chain (the default chain, fromNodeProviderChain).
// Prints one JSON object: the credentials, with `expiration` as ISO 8601 (null when the
// provider gave none), or `{"error": MESSAGE}` and exit status 1 when the provider refused.
// renewing: the default chain as a long-running program holds it (one provider, asked again
// before each AWS call; it renews what it has within 5 minutes of expiry), asked every 200 ms
// until it has given two different credentials, or for SECONDS: prints each, one per line.
"use strict";

const providers = require("@aws-sdk/credential-providers");

const MAKERS = {
  sso: (profile) => providers.fromSSO({ profile }),
  process: (profile) => providers.fromProcess({ profile }),
  http: () => providers.fromHttp({}),
  env: () => providers.fromEnv(),
  chain: () => providers.fromNodeProviderChain(),
  ini: (profile) => providers.fromIni({ profile }),
};

function printed(creds) {
  const expiration = creds.expiration;
  const valid = expiration instanceof Date && !Number.isNaN(expiration.getTime());
  return (
    JSON.stringify({
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken ?? null,
      expiration: expiration === undefined ? null : valid ? expiration.toISOString() : "Invalid Date",
    }) + "\n"
  );
}

async function renewing(seconds) {
  const provider = providers.fromNodeProviderChain();
  const deadline = Date.now() + Number(seconds) * 1000;
  let given = 0;
  let last = null;
  while (given < 2 && Date.now() < deadline) {
    const creds = await provider();
    if (creds.accessKeyId !== last) {
      process.stdout.write(printed(creds));
      last = creds.accessKeyId;
      given += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main() {
  const [name, profile] = process.argv.slice(2);
  if (name === "renewing") {
    return renewing(profile);
  }
  const make = MAKERS[name];
  if (!make) {
    throw new Error(`unknown provider ${name}; one of ${Object.keys(MAKERS).join(", ")}`);
  }
  const creds = await make(profile)();
  process.stdout.write(printed(creds));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String(error && error.message) }) + "\n");
  process.exit(1);
});
