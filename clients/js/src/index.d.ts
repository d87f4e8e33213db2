// Hand-kept types of @trackwire/client's public API (the sources carry
// JSDoc types; test/types.test.js checks the two agree).

export type Transport = 'websocket' | 'sse' | 'long-poll' | 'polling';
export declare const TRANSPORTS: readonly Transport[];

/** The connection, as a UI shows it. */
export type ConnectionState =
  | { status: 'idle' }
  | { status: 'connecting'; transport: Transport; attempt: number }
  | { status: 'authenticating'; transport: Transport }
  | { status: 'live'; transport: Transport; since: number }
  | { status: 'degraded'; transport: Transport; reason: string; since: number }
  /** `reason: 'offline'` while the browser says the network is gone. */
  | { status: 'reconnecting'; attempt: number; nextRetryAt: number; reason: string }
  /**
   * `reason`: 'forbidden' (4003), 'session_expired' (the server refused the
   * token and the token provider had no fresh one it would take), or the
   * app's own from `close(reason)`.
   */
  | { status: 'closed'; reason: string };

export type OrderStatus =
  | 'placed'
  | 'confirmed'
  | 'preparing'
  | 'shipped'
  | 'out_for_delivery'
  | 'delivered'
  | 'cancelled'
  | 'returned';

export declare const MAIN_PATH: readonly OrderStatus[];
export declare const FINAL_STATUSES: readonly OrderStatus[];

export interface Party {
  id: string;
  name?: string;
  phone?: string;
}

export interface Location {
  lat: number;
  lng: number;
  heading?: number;
  ts: number;
}

export interface TimelineEntry {
  seq: number;
  type: string;
  at: string;
  status?: OrderStatus;
  reason?: string;
  text?: string;
  eta?: string;
  courier?: Party;
  orderStatus?: OrderStatus;
  ignored?: 'backwards' | 'invalid_transition' | 'order_final' | 'not_allowed_in_status' | 'already_created' | 'invalid_payload';
}

/** An order as the SDK holds it: the server's snapshot plus its timeline. */
export interface OrderView {
  id: string;
  customer: Party | null;
  courier: Party | null;
  items: { name: string; quantity: number }[];
  address: string;
  status: OrderStatus;
  eta: string | null;
  location: Location | null;
  instructions: string | null;
  delay: { reason: string; since: string } | null;
  lastFailure: string | null;
  internalNote: string | null;
  seq: number;
  epoch: string | null;
  final: boolean;
  createdAt: string | null;
  updatedAt: string | null;
  timeline: TimelineEntry[];
  lastUpdated: number;
}

/** An order view with the pending optimistic changes laid over it. */
export type OverlaidView = OrderView & {
  /** Fields whose shown value waits for the server's answer. */
  pending?: { status?: boolean; instructions?: boolean };
  pendingMutations?: string[];
};

/** A timeline step for a UI: the main path, warnings, a final state. */
export type TimelineStep =
  | { kind: 'step'; status: OrderStatus; state: 'done' | 'current' | 'pending'; at?: string; seq?: number }
  | { kind: 'warning'; type: 'delayed' | 'delivery_failed'; reason: string; at: string; seq?: number; active: boolean }
  | { kind: 'final'; status: 'cancelled' | 'returned'; state: 'current'; at?: string; seq?: number; reason?: string };

export declare function timelineSteps(view: OrderView): TimelineStep[];

export type TopicStatus = 'loading' | 'live' | 'final' | 'error';

export interface ChatMessage {
  seq: number;
  text: string;
  clientMessageId: string;
  /** The sender's subject and role, as the server names them. */
  from?: string;
  role?: string;
  at: string;
}

export interface Member {
  subject: string;
  role: string;
  since: string;
}

export interface TopicSnapshot {
  topic: string;
  status: TopicStatus;
  error: string | null;
  order: OrderView | null;
  feed: { orders: Map<string, OrderView>; offset: number } | null;
  messages: ChatMessage[] | null;
  /** Who is watching (order and chat topics). */
  present: Member[];
  /** Who is typing now (chat topics); a lost stop expires on its own. */
  typing: string[];
  /** Each participant's last read message seq (chat topics). */
  reads: Record<string, number>;
  lastUpdated: number;
}

export interface Watch {
  topic: string;
  snapshot(): TopicSnapshot;
  unsubscribe(): void;
}

export interface MutationResult {
  state: 'confirmed' | 'rolled_back';
  seq?: number;
  code?: string;
  reason?: string;
}

export interface MutationOutcome {
  clientMutationId: string;
  orderId: string;
  action: string;
  state: 'pending' | 'confirmed' | 'rolled_back';
  reason?: string;
  message?: string;
  seq?: number;
}

export interface Telemetry {
  onReconnectAttempt?(info: { attempt: number; delayMs: number; reason: string }): void;
  onDegraded?(info: { reason: string; durationMs: number }): void;
  onLag?(info: { topic: string; lagMs: number }): void;
  onDuplicate?(info: { topic: string; id: string }): void;
  onGap?(info: { topic: string }): void;
  onReplay?(info: { topic: string; recovered: boolean }): void;
  onValidationFailure?(info: { topic: string; reason: string }): void;
  onTransportChange?(info: { from: string; to: string }): void;
}

export interface ClientOptions {
  /** The server's base URL (default: the page's origin). */
  url?: string;
  /**
   * A bearer token; `refresh` is true when the last one was refused or
   * expires soon. Asked once before connecting too (whose tab is this?).
   * `null` for a refresh means there is none to be had: the connection
   * closes with reason 'session_expired'. Throwing is a passing failure:
   * the client retries later.
   */
  getToken?(options: { refresh: boolean }): string | null | Promise<string | null>;
  /** The fallback chain, best first (default: all four). */
  transports?: Transport[];
  /** A WebSocket class (Node: the `ws` package's). */
  WebSocket?: typeof globalThis.WebSocket;
  fetch?: typeof globalThis.fetch;
  /** Where positions and views survive a reload (default: sessionStorage; null: nowhere). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** The server's heartbeat interval in ms (default 25 000). */
  heartbeatMs?: number;
  /** How long a WebSocket upgrade may take before the attempt fails, in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** How often a fallback tries to move back up, in ms (default 60 000). */
  probeIntervalMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  mutationTimeoutMs?: number;
  pollIntervalMs?: number;
  telemetry?: Telemetry;
  /**
   * One connection for the tabs of this origin that are the same identity
   * (the token's issuer, tenant, subject and role; default: where the
   * browser can).
   */
  shareTabs?: boolean;
}

export declare class TrackwireClient {
  constructor(options?: ClientOptions);
  getState(): ConnectionState;
  onStateChange(listener: () => void): () => void;
  /** Watches `order:{id}`, `chat:{id}` or `orders`; the last unsubscribe leaves the topic. */
  watch(topic: string, listener?: () => void): Watch;
  watchOrder(id: string, listener?: () => void): Watch;
  get(topic: string): TopicSnapshot | undefined;
  /** The order with pending optimistic changes laid over it. */
  getOrder(id: string): (OrderView & { pending?: Record<string, unknown>; pendingMutations?: string[] }) | undefined;
  mutationOutcomes(): MutationOutcome[];
  /** A customer action (`cancel`, `change_instructions`), shown at once, confirmed or rolled back. */
  mutate(orderId: string, action: string, args?: Record<string, unknown>): Promise<MutationResult>;
  /** Sends a chat message; resolves once the server stored it (retries appear once). */
  sendMessage(orderId: string, text: string): Promise<{ clientMessageId: string }>;
  /** Call on every keystroke: typing at most every 300 ms, a stop 2 s after the last. */
  typing(orderId: string): void;
  stopTyping(orderId: string): void;
  /** Marks the order's chat read up to `seq`. */
  markRead(orderId: string, seq: number): void;
  connect(): void;
  close(reason?: string): void;
  /**
   * Call when the app's user signs in, out, or as somebody else: the token
   * provider is asked at once, and a token of another identity makes the
   * tab leave the old identity's tabs, drop what it showed, and connect as
   * the new one.
   */
  reauthenticate(): void;
}

/** Full-jitter backoff: uniform in [0, min(maxMs, baseMs * 2 ** attempt)]. */
export declare function backoffDelay(
  attempt: number,
  options?: { baseMs?: number; maxMs?: number },
  random?: () => number,
): number;
