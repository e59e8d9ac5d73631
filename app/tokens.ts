/** Dependency-injection tokens, one per port. Symbols, so no two bindings can collide by name. */
export const TOKENS = {
  Clock: Symbol.for('otp-courier.Clock'),
  Logger: Symbol.for('otp-courier.Logger'),
  TemplateStore: Symbol.for('otp-courier.TemplateStore'),
  MessageSender: Symbol.for('otp-courier.MessageSender'),
  IdempotencyStore: Symbol.for('otp-courier.IdempotencyStore'),
  DeadLetterQueue: Symbol.for('otp-courier.DeadLetterQueue'),
  SecretSealer: Symbol.for('otp-courier.SecretSealer'),
  Fingerprinter: Symbol.for('otp-courier.Fingerprinter'),
  DeliverySettings: Symbol.for('otp-courier.DeliverySettings'),
  HookSettings: Symbol.for('otp-courier.HookSettings'),
  RateCounterStore: Symbol.for('otp-courier.RateCounterStore'),
  BrakesSettings: Symbol.for('otp-courier.BrakesSettings'),
} as const;
