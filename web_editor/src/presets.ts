// Sample payments for the Try-it panel, used when the server offers none
// (it may serve examples/acme/contexts). Amounts in minor units.
export interface Preset { name: string; context: Record<string, any> }

export const presets: Preset[] = [
  {
    name: "Mastercard 6000.00 RUB, retail, low risk",
    context: { tariff: "standard", amount: { amount: 600000, currency: "RUB" }, payment_tool: "bank_card", payment_system: "mastercard", category: "retail", risk: "low", payment_key: "order-1" },
  },
  {
    name: "Visa 1500.00 RUB, retail, high risk",
    context: { tariff: "standard", amount: { amount: 150000, currency: "RUB" }, payment_tool: "bank_card", payment_system: "visa", category: "retail", risk: "high", payment_key: "order-2" },
  },
  {
    name: "Maestro 250.00 RUB, low risk",
    context: { tariff: "standard", amount: { amount: 25000, currency: "RUB" }, payment_tool: "bank_card", payment_system: "maestro", category: "retail", risk: "low", payment_key: "order-3" },
  },
  {
    name: "Visa 100.00 USD",
    context: { tariff: "standard", amount: { amount: 10000, currency: "USD" }, payment_tool: "bank_card", payment_system: "visa", category: "retail", risk: "low", payment_key: "order-4" },
  },
  {
    name: "Fatal risk (declined)",
    context: { tariff: "standard", amount: { amount: 600000, currency: "RUB" }, payment_tool: "bank_card", payment_system: "mastercard", category: "retail", risk: "fatal", payment_key: "order-5" },
  },
];
