// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * A dead link is one that says nothing: the server pings (or, for
 * streams, sends heartbeat comments) every interval, so two intervals of
 * silence mean the link is gone, even when the operating system has not
 * noticed. On a two-way transport the client also pings every interval.
 */
export class Heartbeat {
    /**
     * @param {number} intervalMs the server's heartbeat interval
     * @param {{ ping: () => void, dead: () => void }} actions
     */
    constructor(intervalMs: number, actions: {
        ping: () => void;
        dead: () => void;
    });
    intervalMs: number;
    actions: {
        ping: () => void;
        dead: () => void;
    };
    lastHeard: number;
    lastPing: number;
    /** @type {ReturnType<typeof setInterval> | null} */
    timer: ReturnType<typeof setInterval> | null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    probeTimer: ReturnType<typeof setTimeout> | null;
    pings: boolean;
    /** @param {boolean} pings whether this transport carries client pings */
    start(pings: boolean): void;
    heard(): void;
    check(): void;
    /**
     * Back from sleep or offline: ping now and give the link a few seconds
     * to answer, instead of waiting two intervals.
     */
    probe(): void;
    stop(): void;
}
