// The storefront's shared contracts: the schemas each service's API is built from, imported by
// the service that implements them, by the services that call it, and by the gateway.
export { Product, ProductId, ProductList, ProductParams, ProductPatch } from './catalog.js';
export {
  OrderLine,
  OrderStatus,
  orderConfirmed,
  orderPlaced,
  orderRejected,
  stockRejected,
  stockReserved,
} from './events.js';
export {
  IdempotencyKey,
  NewOrder,
  NewOrderHeaders,
  Order,
  OrderHistory,
  OrderHistoryEntry,
  OrderList,
  OrderParams,
  OrderTotals,
  ProjectionLag,
  ProjectionRebuild,
} from './orders.js';
