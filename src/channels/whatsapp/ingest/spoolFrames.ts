/** A verified webhook delivery as the spool keeps it until the database has it. */
export interface SpooledDelivery {
  channelId: string | null;
  body: string;
  receivedAt: number;
}

/** Frame header: u32 length of what follows, f64 received at (epoch ms), u16 length of the channel id. */
const HEADER = 4 + 8 + 2;

/**
 * One delivery as bytes: `[u32 n][f64 receivedAt][u16 c][c bytes channel id][n - 10 - c bytes body]`, all
 * little-endian. An empty channel id stands for none.
 */
export function encodeFrame(d: SpooledDelivery): Buffer {
  const channel = Buffer.from(d.channelId ?? "", "utf8");
  const bodyBytes = Buffer.byteLength(d.body, "utf8");
  const frame = Buffer.allocUnsafe(HEADER + channel.length + bodyBytes);
  frame.writeUInt32LE(frame.length - 4, 0);
  frame.writeDoubleLE(d.receivedAt, 4);
  frame.writeUInt16LE(channel.length, 12);
  channel.copy(frame, HEADER);
  frame.write(d.body, HEADER + channel.length, "utf8");
  return frame;
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
