import { parseArgs } from 'node:util';

/** What the user asked for on the command line. */
export interface CliArgs {
  /** The folder to create (also the package name, from its last segment). */
  directory: string | undefined;
  /** The example to copy. */
  example: string;
  /** Print usage and exit. */
  help: boolean;
}

/** The usage text `--help` prints. */
export const USAGE = `Usage: npm create milkyway@latest <directory> [-- --example <name>]

Creates a new Milkyway service in <directory> from one of the examples.

Options:
  -e, --example <name>  the example to copy: hello (default) or storefront
  -h, --help            show this help
`;

/** Parses `create-milkyway <directory> [--example name]`; throws on unknown options. */
export function parseCliArgs(argv: string[]): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      example: { type: 'string', short: 'e', default: 'hello' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) {
    throw new Error(`expected one directory, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  return {
    directory: positionals[0],
    example: values.example ?? 'hello',
    help: values.help ?? false,
  };
}
