// Error-catalogue group: configuration (CONFIG_*), raised at start-up by src/config/. Operator-facing: the CLI
// prints these as one line and exits 2; they never reach a client, so they are INTERNAL should one ever leak.

/** An INTERNAL entry (no HTTP override) in the catalogue's shape. */
const internal = <P>(message: (params: P) => string) => ({ status: 'INTERNAL' as const, message });

export const CONFIG_ERRORS = {
  CONFIG_INVALID: internal<{ setting: string; value: string; origin: string; allowed: string }>(
    (p) => `invalid setting ${p.setting}=${p.value} from ${p.origin}; allowed: ${p.allowed}`,
  ),
  CONFIG_UNKNOWN_KEY: internal<{ key: string; origin: string; allowed: string }>(
    (p) => `unknown setting "${p.key}" in ${p.origin}; allowed keys: ${p.allowed}`,
  ),
  CONFIG_FILE_UNREADABLE: internal<{ file: string; reason: string }>((p) => `cannot use config file ${p.file}: ${p.reason}`),
  CONFIG_MISSING: internal<{ setting: string; env: string; because: string }>(
    (p) => `setting ${p.setting} (${p.env}) is required when ${p.because}`,
  ),
} as const;
