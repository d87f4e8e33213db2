// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
export type CloseInfo = {
    /**
     * The WebSocket close code, an HTTP
     * status for a refused stream, or 0 for a network failure.
     */
    code: number | string;
    reason: string;
    /**
     * Whether the transport ever opened: a
     * transport that never did is unavailable, and the client falls back.
     */
    opened: boolean;
};
export type TransportHandlers = {
    onOpen: () => void;
    /**
     * A server frame, as JSON.
     */
    onFrame: (frame: any) => void;
    /**
     * Bytes arrived (a frame, a heartbeat).
     */
    onActivity: () => void;
    onInvalid: (why: string) => void;
    onClose: (info: CloseInfo) => void;
};
export type TransportSession = {
    /**
     * The topics to carry.
     */
    topics: string[];
    positions: Record<string, {
        seq?: number;
        epoch?: string;
        offset?: number;
    }>;
    /**
     * A bearer token, or null.
     */
    token: () => Promise<string | null>;
};
