// Hand-kept types of index.js; test-support/types.js checks that src/hooks.js,
// which it exports, matches them.

import type { Context, FunctionComponentElement, ProviderProps, ReactNode } from 'react';
import type {
  ChatMessage,
  ConnectionState,
  Member,
  OverlaidView,
  TimelineStep,
  TopicSnapshot,
  TopicStatus,
  TrackwireClient,
} from '@trackwire/client';

export type { TrackwireClient, ConnectionState, TopicSnapshot, TopicStatus, OverlaidView, TimelineStep, ChatMessage, Member };

/** What `useOrder` returns. */
export interface OrderState {
  /** The order with pending optimistic changes laid over it; null until something is known of it. */
  order: OverlaidView | null;
  /** `timelineSteps(order)`, or [] without an order. */
  timeline: TimelineStep[];
  /** The topic's status: loading, live, final or error. */
  status: TopicStatus;
  /** The server's code when `status` is `error`. */
  error: string | null;
  connection: ConnectionState;
  /** ms since 1970 of the last applied change (0: none yet). */
  lastUpdated: number;
}

/** A mutation's answer, as `client.mutate` resolves it. */
export interface MutationResult {
  state: 'confirmed' | 'rolled_back';
  seq?: number;
  code?: string;
  reason?: string;
}

/** What `useMutation` returns. */
export interface MutationState {
  /** Sends `action` on the hook's order; resolves with the answer (never rejects for a refusal). */
  mutate: (action: string, args?: Record<string, unknown>) => Promise<MutationResult>;
  /** True while a mutation sent from this hook waits for its answer. */
  pending: boolean;
  /** The latest answer (null: none yet, or the order id changed). */
  lastOutcome: MutationResult | null;
}

export interface TrackwireProviderProps {
  client: TrackwireClient;
  children?: ReactNode;
}

/** Hands `client` to the hooks below it; never closes it. */
export function TrackwireProvider(
  props: TrackwireProviderProps,
): FunctionComponentElement<ProviderProps<TrackwireClient | null>>;

/** The provider's client; throws outside a `TrackwireProvider`. */
export function useTrackwire(): TrackwireClient;

/** The connection state; re-renders on every change. */
export function useConnectionStatus(): ConnectionState;

/** A topic's snapshot (`orders`, `chat:{id}`, `order:{id}`), watched while mounted; null watches nothing. */
export function useTopic(topic: string | null | undefined): TopicSnapshot;

/** One order ready to show, watched while mounted; null watches nothing. */
export function useOrder(id: string | null | undefined): OrderState;

/** Sends customer actions on one order and tracks their answers. */
export function useMutation(orderId: string): MutationState;

/** Who is watching a topic now. */
export function usePresence(topic: string | null | undefined): Member[];

export interface ChatState {
  messages: ChatMessage[];
  /** Subjects typing now; a lost stop expires on its own. */
  typing: string[];
  present: Member[];
  /** Each participant's last read message seq. */
  reads: Record<string, number>;
  status: TopicSnapshot['status'];
  send(text: string): Promise<{ clientMessageId: string }>;
  /** Call on every keystroke (debounced; a stop follows on its own). */
  onType(): void;
  markRead(seq: number): void;
}

/** An order's chat, watched while mounted. */
export function useChat(orderId: string | null | undefined): ChatState;

/** Who is typing in an order's chat, and the keystroke handler. */
export function useTyping(orderId: string | null | undefined): { typing: string[]; onType(): void };
