package io.starling.broker.auth.dynsec;

/** A role given to a client or group, with the priority it has there. */
record RoleLink(DynsecRole role, int priority) {
}
