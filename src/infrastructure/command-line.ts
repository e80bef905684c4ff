import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * The options of a command-line tool, read the same way by every `*-cli.ts`:
 * `--help` prints `usage` and exits 0; an unknown option or a stray argument
 * prints what was wrong and the usage line, and exits 2 (the shell's "misuse").
 */
export function commandLineOptions<const O extends Options>(usage: string, options: O, args: string[] = process.argv.slice(2)) {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage.split("\n")[0]}`);
    process.exit(2);
  }
}
