#!/usr/bin/env node
/**
 * Prints a development bearer token:
 *   pnpm tsx services/api/src/auth/mint-token.ts --role clerk --municipality gb-coventry --name "Coventry clerk"
 */
import { MINT_TOKEN_USAGE, mintDevToken, parseMintTokenArguments } from './dev-token.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${MINT_TOKEN_USAGE}\n`);
} else {
  try {
    const token = await mintDevToken(parseMintTokenArguments(argv, process.env));
    process.stdout.write(`${token}\n`);
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\n\n${MINT_TOKEN_USAGE}\n`,
    );
    process.exitCode = 2;
  }
}
