package io.starling.broker.auth.dynsec;

/** One ACL of a role: a topic filter that allows or denies one kind of access, with its priority. */
record Acl(AclType type, String topic, int priority, boolean allow) {
}
