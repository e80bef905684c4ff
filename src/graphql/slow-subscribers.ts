import type { WebSocket } from "ws";

/** WebSocket's "Try Again Later": a graphql-ws client reconnects after it, and a subscriber resumes with `after:`. */
export const CLOSE_TOO_SLOW = 1013;

/** How long a too-slow client has to read the close frame before its socket is destroyed. */
const CLOSE_GRACE_MS = 10_000;

/**
 * A subscriber whose client reads more slowly than events come would make the
 * instance buffer its events without bound (ws keeps whatever the socket
 * cannot take). Checked after each event sent to it: past `maxBufferedBytes`
 * waiting, its socket is closed with 1013 and destroyed if the client does
 * not even read the close frame within a few seconds, so one stalled client
 * cannot take the instance's memory. The client reconnects and resumes from
 * its last event with `leadEvents(after:)`; nothing is lost.
 */
export function slowSubscriberGuard(maxBufferedBytes: number, onDisconnected: () => void): (socket: WebSocket) => void {
  return (socket) => {
    if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= maxBufferedBytes) return;
    socket.close(CLOSE_TOO_SLOW, "Subscriber too slow: reconnect and resume with after");
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    onDisconnected();
  };
}
