/**
 * The `config/` capability: the `.github/pylot.yml` contract (zod schema), its loader, and
 * user-facing errors with line numbers.
 */
export {
  PylotConfigSchema,
  DeployEnvironmentSchema,
  SEVERITIES,
  CONFIDENCES,
  PERMISSIONS,
  type PylotConfig,
  type PylotConfigInput,
  type Severity,
  type Permission,
  type DeployEnvironment,
} from "./schema.js";
export {
  CONFIG_FILE,
  CONFIG_FILE_ALTERNATE,
  ProjectDirError,
  loadConfigFile,
  loadProjectConfig,
  parseConfigText,
  validateConfigValue,
  type ConfigFileLoad,
  type ConfigLoad,
} from "./load.js";
export { formatConfigErrors, type ConfigError, type ConfigParse } from "./errors.js";
export { hasPythonMarkers, PYTHON_MARKER_FILES } from "./markers.js";
export {
  MAX_CONFIG_BYTES,
  readConfigFile,
  tooLargeMessage,
  type ConfigFileRead,
} from "./read-file.js";
export { MAX_ALIAS_COUNT } from "./yaml-source.js";
export { EXTENDS_KEY } from "./extends.js";
