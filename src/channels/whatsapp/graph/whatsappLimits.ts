/** Meta's documented limits for outbound messages, in one place for the API schema and the Graph schema. */
export const LIMITS = {
  textBody: 4096,
  caption: 1024,
  interactiveBody: 1024,
  headerFooter: 60,
  buttonsMin: 1,
  buttonsMax: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButton: 20,
  listSections: 10,
  listRows: 10,
  // Meta's list-message guide: "up to 10 rows for all sections combined" (its OpenAPI only caps each section).
  listRowsTotal: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  sectionTitle: 24,
  templateParam: 1024,
  bizOpaqueCallbackData: 512,
} as const;
