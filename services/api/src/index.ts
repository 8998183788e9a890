export { buildApp, type ApiDependencies } from './app.js';
export { apiDependenciesFor } from './api-dependencies.js';
export { loadApiConfig, apiEnvironmentSchema, type ApiConfig } from './config.js';
export * from './auth/index.js';
export {
  createSqlMunicipalityDirectory,
  type Municipality,
  type MunicipalityDirectory,
} from './municipalities/municipality-directory.js';
