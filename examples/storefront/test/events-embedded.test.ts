import { eventsE2eSuite } from './events-e2e.js';

// PGlite in each service's own folder, HTTP push between the services: nothing to install.
eventsE2eSuite('the storefront under faults (PGlite per service, HTTP push)', {
  transport: 'http',
});
