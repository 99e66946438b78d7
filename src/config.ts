// The one validated configuration object. The schema (src/config/schema.ts) says every setting's type, default,
// allowed values, flag, environment variable and secrecy; resolving (flags > environment > config file >
// defaults), validation, --print-config and the README table derive from it. Nothing else reads process.env.

export {
  GB,
  MB,
  LOG_LEVELS,
  SettingsSchema,
  type ClientConfig,
  type Config,
  type ConfigInput,
  type EngineConfig,
  type Limits,
} from './config/schema.js';
export {
  CLIENT_SETTINGS,
  SETTINGS,
  defaultConfig,
  executableSearchPath,
  processEnvironment,
  resolveClientConfig,
  resolveConfig,
} from './config/resolve.js';
export { configTable, maskSecret, printableConfig, withConfigTable } from './config/present.js';
export type { Setting } from './config/settings.js';
