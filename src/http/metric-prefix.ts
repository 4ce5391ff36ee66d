/** Starts every metric this project defines, so a dashboard can tell them from the process metrics. */
export const METRIC_PREFIX = "metastudio_sync_";
