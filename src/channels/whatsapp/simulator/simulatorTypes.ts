/** A business number the simulator plays the Cloud API for. */
export interface SimNumber {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  accessToken: string;
  appSecret: string;
  /** Where the simulator delivers this number's webhooks (Parley's /webhooks/whatsapp). */
  webhookUrl: string;
  mps: number;
}

export interface SimTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status: string;
  /** Meta's component format; BODY text uses {{1}} or {{name}} placeholders; BUTTONS may hold QUICK_REPLY buttons. */
  components: { type: string; text?: string; format?: string; buttons?: { type: string; text: string }[] }[];
}

export interface SimPhone {
  phone: string;
  name: string;
  onWhatsApp: boolean;
  marketingOptOut: boolean;
}

/** One message of a chat, as the phone sees it. */
export interface SimMessage {
  id: string;
  phoneNumberId: string;
  /** `in` = the business sent it to the phone; `out` = the phone sent it. */
  direction: "in" | "out";
  type: string;
  text: string;
  templateName?: string;
  /** Buttons or list rows the customer can tap (for `in` interactive/template messages). */
  options?: {
    id: string;
    title: string;
    kind: "button_reply" | "list_reply" | "quick_reply";
    description?: string;
  }[];
  status: "sent" | "delivered" | "read" | "failed" | "received";
  error?: { code: number; title: string };
  timestamp: number;
}

export interface SimFaults {
  /** Next N sends answer HTTP 500 (131000). */
  http500: number;
  /** Next N sends never answer (the client times out). */
  timeout: number;
  /** Next N sends answer 190 (bad token). */
  badToken: number;
  /** Deliver every webhook twice. */
  duplicateWebhooks: boolean;
  /** Send `sent` after `delivered` and `read`. */
  outOfOrder: boolean;
  /** Skip `delivered` statuses. */
  dropDelivered: boolean;
}

export const noFaults = (): SimFaults => ({
  http500: 0,
  timeout: 0,
  badToken: 0,
  duplicateWebhooks: false,
  outOfOrder: false,
  dropDelivered: false,
});
