/**
 * `ws` ships no types and `@types/ws` is not installed. We only hand its constructor to
 * `@jupyterlab/services` (Node has no global WebSocket before v22), so an opaque value is
 * all we declare; `jupyterKernelSocket.ts` casts it to the type the settings expect.
 * Delete this file if `@types/ws` is ever added.
 */
declare module 'ws' {
  const WebSocket: unknown;
  export default WebSocket;
}
