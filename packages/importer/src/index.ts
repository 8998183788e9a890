export { countryCodeOf } from './countries.js';
export { cityIdOf } from './city-ids.js';
export {
  CsvFormatError,
  cleanTwinningLink,
  parseTwinningCsv,
  type LinkProblem,
  type LinkProblemReason,
  type LinkedCity,
  type RawTwinningLink,
  type TwinningLink,
} from './twinning-links.js';
export {
  IMPORTED_AGREEMENT_NAMESPACE,
  agreementIdOfPair,
  partnershipsOf,
  type Partnership,
} from './partnerships.js';
export {
  DEFAULT_ILLUSTRATIVE_DATE,
  ImportRejectedError,
  WIKIPEDIA_ATTRIBUTION,
  partnershipCommands,
  partnershipEvents,
  type ImportSettings,
} from './partnership-events.js';
export {
  importPartnerships,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
} from './import-partnerships.js';
export {
  SAMPLE_CSV_PATH,
  prepareImport,
  prepareImportFromFile,
  type PreparedImport,
} from './wikipedia-import.js';
