package io.starling.broker.auth.dynsec;

/** A client's membership of a group, with the priority the group has for that client. */
record GroupLink(DynsecGroup group, int priority) {
}
