/**
 * The provisioned datasources, as dashboards reference them: by fixed uid, never by a
 * `${DS_...}` import placeholder. These uids are spelled again in
 * dashboards/provisioning/datasources/*.yaml; a test keeps the two in step.
 */
export const DATASOURCE_UID = {
  prometheus: 'prometheus',
  loki: 'loki',
  jaeger: 'jaeger',
  /** Provisioned only in AWS mode (dashboards/provisioning/datasources-aws/xray.yaml). */
  xray: 'xray',
} as const;

export interface DatasourceRef {
  type: string;
  uid: string;
}

export const PROMETHEUS: DatasourceRef = { type: 'prometheus', uid: DATASOURCE_UID.prometheus };
export const LOKI: DatasourceRef = { type: 'loki', uid: DATASOURCE_UID.loki };
/** Grafana's Jaeger datasource (a preinstalled plugin from Grafana 13.2; its plugin id is still `jaeger`). */
export const JAEGER: DatasourceRef = { type: 'jaeger', uid: DATASOURCE_UID.jaeger };

/**
 * The Prometheus datasource's `timeInterval` (provisioning), in seconds. Grafana uses it as the
 * minimum `$__interval` and builds `$__rate_interval` from it, so the macro substitution used by
 * tests must know it too.
 */
export const PROMETHEUS_TIME_INTERVAL_SECONDS = 15;
