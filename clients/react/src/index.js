// @ts-check
/**
 * @trackwire/react: React bindings of Trackwire's browser SDK.
 *
 *   TrackwireProvider({ client, children })  hands a TrackwireClient to a tree
 *   useTrackwire()         the client
 *   useConnectionStatus()  the ConnectionState
 *   useOrder(id)           { order, timeline, status, error, connection, lastUpdated }
 *   useTopic(topic)        the TopicSnapshot (feed, chat)
 *   useMutation(orderId)   { mutate(action, args), pending, lastOutcome }
 *   usePresence(topic)     who is watching
 *   useChat(orderId)       { messages, typing, present, reads, status, send, onType, markRead }
 *   useTyping(orderId)     { typing, onType }
 *
 * Types: index.d.ts (hand-kept).
 */

export {
  TrackwireProvider,
  useTrackwire,
  useConnectionStatus,
  useOrder,
  useTopic,
  useMutation,
  usePresence,
  useChat,
  useTyping,
} from './hooks.js';
