/** The NOTIFY channel the outbox signals on commit and relays listen to. */
export const OUTBOX_CHANNEL = 'milkyway_outbox';
