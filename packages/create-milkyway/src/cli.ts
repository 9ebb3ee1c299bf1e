import { parseCliArgs, USAGE } from './args.js';
import { packLocalPackages, repositoryRoot } from './local-packages.js';
import { defaultTemplatesDir } from './manifest.js';
import { nextSteps, scaffold } from './scaffold.js';

/** Where the CLI writes (stdout/stderr by default). */
export interface Output {
  /** Writes text. */
  write(text: string): unknown;
}

/** Runs the CLI; returns the process exit code. */
export function main(
  argv: string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
): number {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    err.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    out.write(USAGE);
    return 0;
  }
  if (!args.directory) {
    err.write(`Which folder should the new service go into?\n\n${USAGE}`);
    return 2;
  }
  try {
    const templatesDir = defaultTemplatesDir();
    const repo = args.local ? repositoryRoot(templatesDir) : undefined;
    if (args.local && !repo) {
      throw new Error(
        '--local needs create-milkyway to run from a clone of the repository (node packages/create-milkyway/dist/index.js)',
      );
    }
    const result = scaffold({
      targetDir: args.directory,
      example: args.example,
      templatesDir,
      ...(repo ? { localPackages: (dir: string) => packLocalPackages(repo, dir) } : {}),
    });
    out.write(nextSteps(result));
    return 0;
  } catch (error) {
    err.write(`create-milkyway: ${(error as Error).message}\n`);
    return 1;
  }
}
