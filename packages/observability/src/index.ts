export const PACKAGE = '@milkyway/observability';
