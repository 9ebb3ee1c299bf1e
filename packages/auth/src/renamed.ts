import { AuthConfigError } from './auth-config-error.js';

/**
 * @internal Refuses an option under its pre-0.2 name (a plain JavaScript caller, or an object
 * built elsewhere, would otherwise get the default silently: a 30 s tolerance instead of the
 * one asked for, an unbounded token age).
 */
export function refuseRenamed(
  options: object | undefined,
  renames: Readonly<Record<string, string>>,
  where: string,
): void {
  if (typeof options !== 'object' || options === null) return;
  for (const [old, name] of Object.entries(renames)) {
    if (Object.hasOwn(options, old)) {
      throw new AuthConfigError(`${where}"${old}" was renamed "${name}"`);
    }
  }
}
