package io.starling.broker.auth.dynsec;

/**
 * The six kinds of ACL of a dynamic security role, in the order the plugin lists a role's ACLs. The
 * publish kinds match a topic against the ACL's filter; the (un)subscribe kinds come in a literal form
 * (the filter itself) and a pattern form (a filter that covers the requested one).
 */
enum AclType {
    PUBLISH_CLIENT_SEND("publishClientSend"),
    PUBLISH_CLIENT_RECEIVE("publishClientReceive"),
    SUBSCRIBE_LITERAL("subscribeLiteral"),
    SUBSCRIBE_PATTERN("subscribePattern"),
    UNSUBSCRIBE_LITERAL("unsubscribeLiteral"),
    UNSUBSCRIBE_PATTERN("unsubscribePattern");

    private final String jsonName;

    AclType(String jsonName) {
        this.jsonName = jsonName;
    }

    String jsonName() {
        return jsonName;
    }

    /** The type named {@code name} (case-insensitive, as the plugin compares), or null. */
    static AclType named(String name) {
        for (AclType t : values()) {
            if (t.jsonName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }
}
