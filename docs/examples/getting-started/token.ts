// A stand-in for your identity provider: the first run creates an ES256 key pair in ./keys,
// every run prints a signed access token (valid for one hour) for the scopes you name.
//
//   npx tsx token.ts                 # a token with the scope hello:read
//   npx tsx token.ts other:scope     # a token the service will refuse with 403
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from 'jose';

/** Who issues the tokens (`iss`) and who they are for (`aud`): the service checks both. */
export const ISSUER = 'https://id.example.com';
export const AUDIENCE = 'hello';

/** Signs an access token for `subject` with the given scopes. */
export async function createToken(options: {
  privateKey: string;
  subject: string;
  scopes: string[];
}): Promise<string> {
  const key = await importPKCS8(options.privateKey, 'ES256');
  return new SignJWT({ scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}

// Run only when started from the command line, not when a test imports this file.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const keys = new URL('./keys/', import.meta.url);
  if (!existsSync(new URL('private.pem', keys))) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    mkdirSync(keys, { recursive: true });
    writeFileSync(new URL('private.pem', keys), await exportPKCS8(privateKey), { mode: 0o600 });
    writeFileSync(new URL('public.pem', keys), await exportSPKI(publicKey));
  }
  const privateKey = readFileSync(new URL('private.pem', keys), 'utf8');
  const scopes = process.argv.length > 2 ? process.argv.slice(2) : ['hello:read'];
  console.log(await createToken({ privateKey, subject: 'alice', scopes }));
}
