import { parseArgs } from 'node:util';

/** What the user asked for on the command line. */
export interface CliArgs {
  /** The folder to create (also the package name, from its last segment). */
  directory: string | undefined;
  /** The example to copy. */
  example: string;
  /** Use the packages of the clone this CLI runs from (packed tarballs), not a registry's. */
  local: boolean;
  /** Print usage and exit. */
  help: boolean;
}

/** The usage text `--help` prints. */
export const USAGE = `Usage: npm create milkyway@latest <directory> [-- --example <name>]

Creates a new Milkyway service in <directory> from one of the examples.

Options:
  -e, --example <name>  the example to copy: hello (default) or storefront
  --local               before the packages are published: run from a clone of the
                        repository, pack its packages into <directory>/vendor/milkyway
                        and depend on those tarballs instead of a registry's versions
  -h, --help            show this help
`;

/**
 * Parses `create-milkyway <directory> [--example name]`; throws on unknown options.
 *
 * `npm create milkyway my-service --example storefront` (without `--`) makes npm take
 * `--example` as its own setting and hand it over in `npm_config_example`: that works too.
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      example: { type: 'string', short: 'e' },
      local: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const rest = [...positionals];
  let example = values.example;
  // npm keeps `--example` for itself: `--example=x` arrives as npm_config_example=x, and
  // `--example x` as npm_config_example=true with `x` left among the positionals.
  const fromNpm = env.npm_config_example;
  if (example === undefined && fromNpm === 'true' && rest.length === 2) example = rest.pop();
  else if (example === undefined && fromNpm && fromNpm !== 'true') example = fromNpm;
  if (rest.length > 1) {
    throw new Error(`expected one directory, got ${rest.length}: ${rest.join(' ')}`);
  }
  return {
    directory: rest[0],
    example: example ?? 'hello',
    local: values.local ?? false,
    help: values.help ?? false,
  };
}
