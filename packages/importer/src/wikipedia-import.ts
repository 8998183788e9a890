import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { partnershipsOf, type Partnership } from './partnerships.js';
import {
  cleanTwinningLink,
  parseTwinningCsv,
  type LinkProblem,
  type TwinningLink,
} from './twinning-links.js';

/** A few dozen real rows, committed so demos and tests run without the full file. */
export const SAMPLE_CSV_PATH = fileURLToPath(
  new URL('../fixtures/twin-cities-sample.csv', import.meta.url),
);

export interface PreparedImport {
  readonly rows: number;
  readonly links: readonly TwinningLink[];
  readonly problems: readonly LinkProblem[];
  readonly partnerships: readonly Partnership[];
}

/** From the file's text to deduplicated partnerships, with every row left out accounted for. */
export const prepareImport = (csvText: string): PreparedImport => {
  const parsed = parseTwinningCsv(csvText);
  const links: TwinningLink[] = [];
  const problems: LinkProblem[] = [...parsed.problems];
  for (const raw of parsed.links) {
    const cleaned = cleanTwinningLink(raw);
    if ('link' in cleaned) links.push(cleaned.link);
    else problems.push(cleaned.problem);
  }
  return {
    rows: parsed.links.length + parsed.problems.length,
    links,
    problems: problems.sort((a, b) => a.line - b.line),
    partnerships: partnershipsOf(links),
  };
};

export const prepareImportFromFile = async (path: string): Promise<PreparedImport> =>
  prepareImport(await readFile(path, 'utf8'));
