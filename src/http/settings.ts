/** The operations settings the App reads (ARCHITECTURE.md §1, README "Running in production"). */
export interface OpsSettings {
  /** `PYLOT_BADGE_SECRET`: signs badge URLs of private repositories. */
  readonly badgeSecret: string | undefined;
  /** `PYLOT_PUBLIC_URL`: where GitHub users reach this bot (pipeline pages' links). */
  readonly publicUrl: string | undefined;
  /** `PYLOT_METRICS_TOKEN`: when set, `/metrics` wants it as a Bearer token. */
  readonly metricsToken: string | undefined;
  /** `PYLOT_REDIS_URL`: when set, `/readyz` checks Redis too. */
  readonly redisUrl: string | undefined;
  /** `PYLOT_SHUTDOWN_GRACE_SECONDS`, in ms: how long SIGTERM lets running jobs finish. */
  readonly graceMs: number;
}

export const DEFAULT_GRACE_SECONDS = 30;

export function readOpsSettings(env: NodeJS.ProcessEnv): OpsSettings {
  const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);
  const raw = nonEmpty(env.PYLOT_SHUTDOWN_GRACE_SECONDS);
  const grace = raw === undefined ? NaN : Number(raw);
  return {
    badgeSecret: nonEmpty(env.PYLOT_BADGE_SECRET),
    publicUrl: nonEmpty(env.PYLOT_PUBLIC_URL),
    metricsToken: nonEmpty(env.PYLOT_METRICS_TOKEN),
    redisUrl: nonEmpty(env.PYLOT_REDIS_URL),
    graceMs: (Number.isFinite(grace) && grace >= 0 ? grace : DEFAULT_GRACE_SECONDS) * 1000,
  };
}
