/** A verified webhook delivery as the spool keeps it until the database has it. */
export interface SpooledDelivery {
  channelId: string | null;
  body: string;
  receivedAt: number;
}

/** Frame header: u32 length of what follows, f64 received at (epoch ms), u16 length of the channel id. */
const HEADER = 4 + 8 + 2;

/** A delivery as it arrives: the body's raw bytes, as signed. */
export interface RawDelivery {
  channelId: string | null;
  raw: Buffer;
  receivedAt: number;
}

/**
 * Deliveries as bytes, one frame each: `[u32 n][f64 receivedAt][u16 c][c bytes channel id][n - 10 - c bytes
 * body]`, little-endian. An empty channel id stands for none. The buffer is its own allocation (not Node's shared
 * pool), so it can be handed to another thread as it is.
 */
export function encodeFrames(deliveries: RawDelivery[]): Buffer {
  const frames = deliveries.map((d) => ({ d, channel: Buffer.from(d.channelId ?? "", "utf8") }));
  const out = Buffer.allocUnsafeSlow(
    frames.reduce((n, { d, channel }) => n + HEADER + channel.length + d.raw.length, 0),
  );
  let at = 0;
  for (const { d, channel } of frames) {
    out.writeUInt32LE(HEADER - 4 + channel.length + d.raw.length, at);
    out.writeDoubleLE(d.receivedAt, at + 4);
    out.writeUInt16LE(channel.length, at + 12);
    channel.copy(out, at + HEADER);
    d.raw.copy(out, at + HEADER + channel.length);
    at += HEADER + channel.length + d.raw.length;
  }
  return out;
}

/**
 * The whole frames in `bytes`, and how many bytes they took: a frame cut short (the process died while
 * writing it, so it was never acknowledged) ends the list.
 */
export function decodeFrames(bytes: Uint8Array): { deliveries: SpooledDelivery[]; used: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const deliveries: SpooledDelivery[] = [];
  let at = 0;
  while (at + HEADER <= buf.length) {
    const end = at + 4 + buf.readUInt32LE(at);
    if (end > buf.length) break;
    const channelEnd = at + HEADER + buf.readUInt16LE(at + 12);
    deliveries.push({
      receivedAt: buf.readDoubleLE(at + 4),
      channelId: channelEnd > at + HEADER ? buf.toString("utf8", at + HEADER, channelEnd) : null,
      body: buf.toString("utf8", channelEnd, end),
    });
    at = end;
  }
  return { deliveries, used: at };
}
