/**
 * Checks recorded HTTP exchanges against the OpenAPI 3.1 document of the service that answered
 * them: the operation (path template and method) exists, the status is declared (or covered by
 * `default`), the content type is one the response declares, and the JSON body validates
 * against the declared schema (Ajv, JSON Schema 2020-12: the dialect of OpenAPI 3.1).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** One exchange as the e2e harness saw it. */
export interface RecordedExchange {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  text: string;
}

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is walked as plain JSON
type Json = Record<string, any>;

/**
 * Paths the documents leave out on purpose (see docs/storefront.md): the health probes, the
 * document itself and its AsyncAPI sibling. `/metrics` is not on the public port at all.
 */
const UNDOCUMENTED = new Set(['/livez', '/readyz', '/openapi.json', '/asyncapi.json']);

function operationFor(doc: Json, method: string, pathname: string): Json | undefined {
  for (const [template, operations] of Object.entries<Json>(doc.paths ?? {})) {
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`,
    );
    if (pattern.test(pathname)) return operations[method.toLowerCase()];
  }
  return undefined;
}

/** Returns one line per mismatch (empty: every exchange conforms). */
export function conformanceMismatches(
  exchanges: RecordedExchange[],
  documentFor: (origin: string) => Json | undefined,
): { checked: number; mismatches: string[] } {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const mismatches: string[] = [];
  let checked = 0;
  for (const x of exchanges) {
    const url = new URL(x.url);
    if (UNDOCUMENTED.has(url.pathname)) continue;
    const doc = documentFor(url.origin);
    if (!doc) continue; // not a storefront service (e.g. an admin listener)
    const where = `${x.method} ${url.pathname} ${x.status} (${doc.info?.title})`;
    checked++;
    const operation = operationFor(doc, x.method, url.pathname);
    if (!operation) {
      // An unknown route is answered by core's 404/405 problem, which no operation declares.
      if (x.status !== 404 && x.status !== 405) mismatches.push(`${where}: no such operation`);
      continue;
    }
    const response = operation.responses?.[String(x.status)] ?? operation.responses?.default;
    if (!response) {
      mismatches.push(`${where}: status not documented`);
      continue;
    }
    if (x.text === '') {
      if (x.status !== 304 && x.status !== 204 && response.content) {
        mismatches.push(`${where}: empty body, but the document declares content`);
      }
      continue;
    }
    const media = (x.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = response.content?.[media];
    if (!declared) {
      mismatches.push(
        `${where}: content type ${media || '(none)'} not declared (${Object.keys(response.content ?? {}).join(', ') || 'no content'})`,
      );
      continue;
    }
    if (!declared.schema || !media.endsWith('json')) continue;
    let body: unknown;
    try {
      body = JSON.parse(x.text);
    } catch {
      mismatches.push(`${where}: body is not JSON`);
      continue;
    }
    // The response's schema, with the document's components beside it for its $refs.
    const validate = ajv.compile({ ...declared.schema, components: doc.components });
    if (!validate(body)) {
      mismatches.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return { checked, mismatches };
}
