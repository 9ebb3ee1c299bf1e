export const SETUP_MODULE = '@milkyway/observability/setup';
