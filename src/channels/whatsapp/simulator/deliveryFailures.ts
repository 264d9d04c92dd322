/** Sends Meta accepts and then reports as a `failed` status webhook, with Meta's codes and texts. */
export const DELIVERY_FAILURES = {
  notOnWhatsApp: {
    code: 131026,
    title: "Message undeliverable",
    details:
      "Unable to deliver message. Reasons can include: The recipient phone number is not a WhatsApp phone number.",
  },
  windowClosed: {
    code: 131047,
    title: "Re-engagement message",
    details:
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  marketingStopped: {
    code: 131050,
    title:
      "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
    details: "The user has stopped marketing messages.",
  },
};
