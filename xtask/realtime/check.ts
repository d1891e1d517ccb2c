// Uses the types graphql-codegen generated from the tour app's SDL (types.ts, next to this file), so that
// `tsc --strict` checks they say what the API does: a subscription event, its argument, a query result.
import type { Message, Query, Subscription, SubscriptionMessengerArgs, Tick } from './types';

const event: Subscription['messenger'] = { sender: 'ann', text: 'hi' };
const args: SubscriptionMessengerArgs = { subscriberId: 'ann' };
const tick: Subscription['clock'] = { count: 1 } satisfies Tick;
const greeting: Query['sayHello'] = 'Hello Developer!';
const message: Message = event;

export const used = [event, args, tick, greeting, message];
