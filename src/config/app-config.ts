/**
 * The configuration's one entry point: what the environment may hold (environment.ts), the
 * typed settings the code reads (settings.ts), how they are read with their defaults
 * (load-config.ts) and the warnings for misspelled variables (unknown-variables.ts).
 */
export { EnvironmentVariables } from './environment';
export { addressDomain, checkServiceConfig, loadConfig, weakSecretReason } from './load-config';
export { channelsOf, checkChannels, ConfigError } from './settings';
export type { AppConfig, Channels, PhotoStorageConfig } from './settings';
export { closestVariable, knownVariables, unknownVariableWarnings } from './unknown-variables';

/** The injection token of the loaded AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
