/**
 * Turns a pino JSON log line into one short readable line for the terminal:
 * `14:03:01.123 INFO  request completed  method=GET path=/products status=200`.
 * Lines that are not JSON pass through unchanged.
 */
const LEVELS: Record<number, [string, number]> = {
  10: ['TRACE', 90],
  20: ['DEBUG', 90],
  30: ['INFO ', 32],
  40: ['WARN ', 33],
  50: ['ERROR', 31],
  60: ['FATAL', 31],
};
const BY_NAME: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'name', 'v']);

export function formatLogLine(line: string, color: boolean): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  const level = typeof record.level === 'string' ? BY_NAME[record.level] : Number(record.level);
  const [label, code] = LEVELS[level ?? 0] ?? [String(record.level ?? '').toUpperCase(), 0];
  const time =
    typeof record.time === 'number' || typeof record.time === 'string'
      ? new Date(record.time).toISOString().slice(11, 23)
      : '';
  const fields = Object.entries(record)
    .filter(([key, value]) => !SKIP.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const shown = color && code ? `\x1b[${code}m${label}\x1b[0m` : label;
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  return [dim(time), shown, msg, fields ? dim(fields) : ''].filter(Boolean).join(' ');
}
