/**
 * True when the NATS subject pattern `pattern` (with `*` and `>` wildcards) covers every
 * subject `subject` can match (`subject` may itself contain wildcards).
 */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return i < s.length;
    if (i >= s.length) return false;
    if (token === '*') {
      if (s[i] === '>') return false;
      continue;
    }
    if (token !== s[i]) return false;
  }
  return p.length === s.length;
}
