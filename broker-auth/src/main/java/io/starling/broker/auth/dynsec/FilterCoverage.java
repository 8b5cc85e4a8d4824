package io.starling.broker.auth.dynsec;

/**
 * Whether a {@code subscribePattern}/{@code unsubscribePattern} ACL covers a requested filter: every topic
 * the requested filter can match is one the ACL's filter matches too (the plugin's {@code sub_acl_check}).
 * A {@code +} in the ACL covers any one level (a {@code +} too), a trailing {@code #} any rest (also none:
 * {@code a/#} covers {@code a}), and {@code #} alone covers everything; a requested {@code #} needs an
 * ACL {@code #}.
 */
final class FilterCoverage {
    private FilterCoverage() {
    }

    static boolean covers(String acl, String requested) {
        if (acl.equals("#")) {
            return true;
        }
        boolean aclHash = endsWithHash(acl);
        boolean requestedHash = endsWithHash(requested);
        if (requestedHash && !aclHash) {
            return false;
        }
        String[] aclLevels = levels(aclHash ? withoutHash(acl) : acl);
        String[] requestedLevels = levels(requestedHash ? withoutHash(requested) : requested);
        if (aclLevels.length > requestedLevels.length
                || requestedLevels.length > aclLevels.length && !aclHash) {
            return false;
        }
        for (int i = 0; i < aclLevels.length; i++) {
            if (!aclLevels[i].equals("+") && !aclLevels[i].equals(requestedLevels[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean endsWithHash(String filter) {
        return filter.equals("#") || filter.endsWith("/#");
    }

    private static String withoutHash(String filter) {
        return filter.length() == 1 ? "" : filter.substring(0, filter.length() - 2);
    }

    /** The levels as the plugin counts them: one more than the slashes, so {@code ""} is one empty level. */
    private static String[] levels(String filter) {
        return filter.split("/", -1);
    }
}
