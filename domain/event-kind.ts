// The kind of an event, as SPEC section 10 reads it for every family: `type`; where `type` is absent
// (or null: an optional field given as null is taken as absent), `event_name`; where that is absent
// too, `event`. Producers in the wild write `{"event_name":"productSold",…}` or `{"event":"productRated",…}`.
// A present `type` wins even when it names nothing we know: `{"type":"x","event_name":"productSold"}`
// is of kind "x" (malformed), not a sale.

/** The value naming the event's kind (any JSON value; only known strings mean something), or undefined. */
export function eventKind(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const type = o.type;
  if (type !== undefined && type !== null) return type;
  const eventName = o.event_name;
  if (eventName !== undefined && eventName !== null) return eventName;
  const event = o.event;
  return event === null ? undefined : event;
}
