import 'reflect-metadata';
import { CliIo, processIo } from './cli-io';
import { runCommand } from './run.command';
import { testCommand } from './test.command';
import { validateCommand } from './validate.command';

const USAGE = `usage: hookflow <command> [options]

commands:
  validate [dir]   check the workflow files in dir (default: workflows) and report every problem
  run <workflow> --event <file.json> --dry-run [--dir <folder>] [--type <type>] [--json]
                   show what each step would send for that event, secrets as [secret];
                   sends nothing. The file holds the body, or { type, headers, query, body }
  test [path] [--update] [--dir <folder>]
                   run the workflow tests (default: workflows/tests/*.test.yaml) with nothing
                   sent; --update records what happens as each failing test's expect

options:
  --help, -h       show this help
`;

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = { validate: validateCommand, run: runCommand, test: testCommand };

/** Runs the command line `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return 0;
  }
  const command = name === undefined ? undefined : Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(name === undefined ? USAGE : `unknown command: ${name}\n\n${USAGE}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  return command(args, io);
}
