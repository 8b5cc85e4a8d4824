package io.starling.broker.config.parse;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.config.ListenerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a mosquitto.conf into a {@link BrokerConfig}: lines come from {@link ConfigLexer}, each goes to
 * the one {@link OptionGroup} that knows its key, and {@code include_dir} reads more files in between.
 * A key no group knows is an error, as in mosquitto. Use {@link io.starling.broker.config.ConfigFile#read}.
 */
public final class ConfigReader {
    private final Path mainFile;
    private final ReadContext context = new ReadContext();
    private final LimitOptions limits = new LimitOptions();
    private final PersistenceOptions persistence = new PersistenceOptions();
    private final LoggingOptions logging = new LoggingOptions();
    private final GeneralOptions general = new GeneralOptions();
    private final UnsupportedOptions unsupported = new UnsupportedOptions();
    private final ClusterOptions cluster = new ClusterOptions();
    private final BridgeOptions bridges = new BridgeOptions();
    private final List<OptionGroup> groups = List.of(new ListenerOptions(), new TlsOptions(), new SecurityOptions(),
            limits, persistence, logging, general, cluster, bridges, unsupported);

    private ConfigReader(Path mainFile) {
        this.mainFile = mainFile;
    }

    /** Reads {@code file} and the files its {@code include_dir} lines name. */
    public static BrokerConfig read(Path file) throws ConfigException {
        ConfigReader reader = new ConfigReader(Objects.requireNonNull(file, "file"));
        reader.readFile(file, null);
        return reader.build();
    }

    /** @param includedBy the {@code include_dir} line that named this file, or null for the main file */
    private void readFile(Path file, ConfigLine includedBy) throws ConfigException {
        for (ConfigLine line : ConfigLexer.read(file, includedBy)) {
            if (line.key().equals("include_dir")) {
                includeDir(line, includedBy == null);
            } else {
                option(line);
            }
        }
    }

    private void option(ConfigLine line) throws ConfigException {
        for (OptionGroup group : groups) {
            if (group.read(line, context)) {
                return;
            }
        }
        throw unknown(line);
    }

    private static ConfigException unknown(ConfigLine line) {
        String key = line.key();
        String hint = "";
        if (key.startsWith("#")) {
            hint = " A comment must start at the beginning of its line.";
        } else if (key.indexOf('\t') >= 0) {
            hint = " Separate an option from its value with a space, not a tab.";
        }
        return line.error("Unknown configuration variable \"" + key + "\"." + hint);
    }

    /** As in mosquitto, only the main file may include others; deeper include_dir lines are ignored. */
    private void includeDir(ConfigLine line, boolean fromMainFile) throws ConfigException {
        if (!fromMainFile) {
            line.text();
            context.warn(line.warning("include_dir is only read in the main configuration file; this one was ignored."));
            return;
        }
        for (Path file : IncludeDir.files(line)) {
            if (sameFile(file, mainFile)) {
                throw line.error("include_dir '" + line.text() + "' must not contain the main configuration file ("
                        + file + ").");
            }
            readFile(file, line);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private BrokerConfig build() throws ConfigException {
        List<io.starling.broker.config.BridgeConfig> bridgeList = bridges.build(context);
        boolean perListener = context.perListenerSettings();
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, ListenerDraft> bound = new HashMap<>();
        for (ListenerDraft draft : context.openedListeners()) {
            if (!draft.ignored) {
                listeners.add(bind(draft, draft.build(perListener, context), bound));
            }
        }
        ListenerDraft defaultDraft = context.defaultListener();
        if (defaultDraft.firstLine != null) {
            ListenerConfig built = defaultDraft.build(perListener, context);
            if (defaultDraft.wantedAsDefault(context.defaultListenerNamed(), built)) {
                listeners.add(bind(defaultDraft, built, bound));
            }
        }
        return new BrokerConfig(listeners, perListener, context.globalSecurity().build(), limits.build(),
                persistence.build(), logging.build(), general.persistentClientExpiration, general.retainAvailable,
                general.upgradeOutgoingQos, general.checkRetainSource, general.setTcpNodelay, general.sysInterval, general.clientidPrefixes,
                general.pidFile, general.user, general.eventLoops, cluster.build(), bridgeList, context.warnings());
    }

    /** Refuses two listeners on the same port and address, which mosquitto finds only when binding. */
    private static ListenerConfig bind(ListenerDraft draft, ListenerConfig listener, Map<String, ListenerDraft> bound)
            throws ConfigException {
        String key = listener.port() + " " + listener.address();
        ListenerDraft before = bound.putIfAbsent(key, draft);
        if (before != null) {
            String what = "Duplicate listener: " + draft.describe() + " uses the same port and address as "
                    + before.describe() + " (" + before.firstLine.where() + ").";
            if (draft.opened == null) {
                what += " Options before the first listener line configure the default listener, which '"
                        + draft.firstLine.key() + "' opened.";
            }
            throw draft.firstLine.error(what);
        }
        return listener;
    }
}
