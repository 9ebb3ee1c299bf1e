import { flowSuite } from './flow-suite.js';

flowSuite('the storefront event flow (PGlite per service, HTTP push)', { httpPush: true });
