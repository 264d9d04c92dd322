/** A webhook error as Meta reports it in statuses, messages or at value level. */
export interface WebhookError {
  code: number;
  title?: string;
  message?: string;
  details?: string;
}

export interface WebhookMessageEvent {
  kind: "message";
  phoneNumberId: string;
  wabaId: string;
  /** The sender's WhatsApp id (E.164 digits). */
  waId: string;
  profileName?: string;
  waMessageId: string;
  /** Epoch milliseconds. */
  timestamp: number;
  type: string;
  /** Normalized per type: text → {text}, interactive → {reply:{kind,id,title}}, media → {mediaId,…}, … */
  content: Record<string, unknown>;
  contextMessageId?: string;
  errors?: WebhookError[];
}

export interface WebhookStatusEvent {
  kind: "status";
  phoneNumberId: string;
  wabaId: string;
  waMessageId: string;
  status: string;
  timestamp: number;
  recipientId?: string;
  errors?: WebhookError[];
  pricingCategory?: string;
  conversationExpiresAt?: number;
  bizOpaqueCallbackData?: string;
}

/** One thing a webhook delivery tells us; a delivery may carry many. */
export type WebhookEvent =
  | WebhookMessageEvent
  | WebhookStatusEvent
  | {
      kind: "user_preference";
      wabaId: string;
      phoneNumberId?: string;
      waId: string;
      category: string;
      value: string;
      timestamp: number;
    }
  | {
      kind: "template_status";
      wabaId: string;
      templateId?: string;
      templateName: string;
      language?: string;
      event: string;
      reason?: string;
    }
  | {
      kind: "template_category";
      wabaId: string;
      templateId?: string;
      templateName: string;
      language?: string;
      previousCategory?: string;
      newCategory: string;
    }
  | { kind: "error"; wabaId: string; phoneNumberId?: string; errors: WebhookError[] }
  | { kind: "unknown"; wabaId: string; field: string; value: unknown };
