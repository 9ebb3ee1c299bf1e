import { storefrontSuite } from './suite.js';

storefrontSuite('the storefront (in-memory stores)');
