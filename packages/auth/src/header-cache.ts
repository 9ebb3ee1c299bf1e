import type { JWSHeaderParameters } from 'jose';

/** How many distinct protected headers a verifier keeps parsed (a few per issuer and key). */
const MAX_HEADERS = 64;

/**
 * @internal The parsed protected headers of tokens that verified, by their base64url segment.
 * Every token of one issuer and key carries the same header segment
 * (`{"alg":"ES256","typ":"JWT","kid":"…"}`), so parsing it once saves jose's base64url decode,
 * UTF-8 check and `JSON.parse` on every later token. Only headers of verified tokens are kept
 * (nobody without a signing key can add one), at most {@link MAX_HEADERS}; when full it starts
 * over. The headers are frozen: one object serves many tokens.
 */
export class ProtectedHeaders {
  readonly #parsed = new Map<string, Readonly<JWSHeaderParameters>>();

  get(segment: string): Readonly<JWSHeaderParameters> | undefined {
    return this.#parsed.get(segment);
  }

  /** Keeps `header` (already frozen) for `segment`, the header segment of a verified token. */
  remember(segment: string, header: Readonly<JWSHeaderParameters>): void {
    if (this.#parsed.size >= MAX_HEADERS) this.#parsed.clear();
    this.#parsed.set(segment, header);
  }
}
