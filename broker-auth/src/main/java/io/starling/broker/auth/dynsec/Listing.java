package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;

/**
 * The list commands' paging as the plugin does it: names in order from {@code offset} (default 0), at
 * most {@code count} of them where a count of 0 still gives one (the plugin adds before it compares),
 * all of them when count is missing or negative; {@code verbose: true} gives whole objects.
 */
final class Listing {
    private Listing() {
    }

    static <T> ObjectNode of(JsonNode command, String member, List<T> items, Function<T, String> name,
                             Function<T, ObjectNode> verbose) {
        boolean full = Json.bool(command, "verbose", false);
        int count = Json.integer(command, "count", -1);
        int offset = Json.integer(command, "offset", 0);
        ObjectNode data = CommandContext.object();
        data.put("totalCount", items.size());
        ArrayNode out = data.putArray(member);
        int taken = 0;
        for (int i = 0; i < items.size(); i++) {
            if (i < offset) {
                continue;
            }
            T item = items.get(i);
            if (full) {
                out.add(verbose.apply(item));
            } else {
                out.add(name.apply(item));
            }
            taken++;
            if (count >= 0 && taken >= count) {
                break;
            }
        }
        return data;
    }
}
